package dev.mesh.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshctl}: the mesh's command line, istioctl's counterpart. */
@TopCommand
@Command(name = "meshctl", mixinStandardHelpOptions = true, versionProvider = MeshctlCommand.Version.class,
        exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Configure, inspect and troubleshoot the mesh. Speaks Istio's API: where Istio's docs say"
                + " istioctl, use meshctl.",
        footer = {"", "Examples:",
                "  meshctl install --set profile=demo -y",
                "  meshctl analyze -n demo",
                "  meshctl proxy-config cluster podinfo-v1-d57b7c9fd-7swjb.demo",
                "  source <(meshctl completion bash)"},
        subcommands = {VersionCommand.class, InstallCommand.class, UninstallCommand.class, ManifestCommand.class,
                AnalyzeCommand.class, KubeInjectCommand.class, ProxyConfigCommand.class,
                ProxyStatusCommand.class, DashboardCommand.class, CompletionCommand.class,
                ExperimentalCommand.class})
public class MeshctlCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: say what there is, as istioctl does.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The top command's {@code --version}. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"meshctl " + BuildInfo.version()};
        }
    }

    /** A picocli command line with meshctl's exit codes, for {@code main}-less callers such as tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new MeshctlCommand());
    }
}
