package dev.mesh.cli;

import dev.mesh.cli.install.ChartOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code meshctl manifest generate}: what {@code meshctl install} would apply, as YAML, without a cluster. */
@Command(name = "manifest", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Commands related to the mesh's manifests.",
        subcommands = ManifestCommand.Generate.class,
        footer = {"", "Examples:", "  meshctl manifest generate --set profile=demo > mesh.yaml"})
public class ManifestCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
            description = "Print the manifests meshctl install applies (the chart rendered with your values, CRDs"
                    + " included). Needs no cluster.",
            footer = {"", "Examples:",
                    "  meshctl manifest generate --set profile=demo > mesh.yaml",
                    "  meshctl manifest generate --set configDistributor.replicas=3 | kubectl apply -f -"})
    static class Generate implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ChartOptions chart;

        @Override
        public Integer call() {
            try {
                spec.commandLine().getOut().print(chart.renderText());
                spec.commandLine().getOut().flush();
                return ExitCodes.OK;
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("Error: " + e.getMessage());
                return ExitCodes.INCORRECT_USAGE;
            }
        }
    }
}
