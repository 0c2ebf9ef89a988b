package dev.mesh.cli;

import dev.mesh.cli.install.ChartOptions;
import dev.mesh.cli.install.Manifest;
import dev.mesh.cli.kube.KubeErrors;
import dev.mesh.cli.kube.KubeOptions;
import dev.mesh.cli.precheck.Precheck;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code meshctl x}: istioctl's experimental commands. */
@Command(name = "x", aliases = "experimental", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Experimental commands that may be modified or deprecated.",
        subcommands = ExperimentalCommand.PrecheckCommand.class,
        footer = {"", "Examples:", "  meshctl x precheck"})
public class ExperimentalCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code meshctl x precheck}: would {@code meshctl install} with these values work on this cluster? */
    @Command(name = "precheck", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
            description = {"Check that the cluster can take the mesh: its Kubernetes version (1.23 or later), the"
                    + " permissions the install needs (create on every kind the chart renders with your values,"
                    + " asked with SelfSubjectAccessReview), and no CRDs or injection webhook of another mesh.",
                    "Each problem is printed with its fix; the exit code is 1 when there is any."},
            footer = {"", "Examples:",
                    "  meshctl x precheck",
                    "  meshctl x precheck --set profile=demo --context kind-mesh"})
    static class PrecheckCommand implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ChartOptions chart;

        @Mixin
        KubeOptions kube;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Manifest manifest;
            try {
                manifest = chart.render();
            } catch (IllegalArgumentException e) {
                err.println("Error: " + e.getMessage());
                err.flush();
                return ExitCodes.INCORRECT_USAGE;
            }
            List<Precheck.Result> results;
            // one attempt per request: a precheck should say at once that the cluster cannot be reached
            try (KubernetesClient client = kube.client(c -> {
                c.setRequestRetryBackoffLimit(0);
                return c;
            })) {
                results = new Precheck(client).run(manifest, chart.namespace());
            } catch (KubernetesClientException e) {
                err.println("Error: cannot read the cluster: " + KubeErrors.describe(e));
                err.flush();
                return ExitCodes.UNKNOWN_ERROR;
            } catch (IllegalArgumentException e) {
                err.println("Error: " + e.getMessage());
                err.flush();
                return ExitCodes.UNKNOWN_ERROR;
            }
            int problems = 0;
            for (Precheck.Result r : results) {
                if (r.ok()) {
                    out.println("\u2714 " + r.check() + ": " + r.passed());
                    continue;
                }
                for (Precheck.Problem p : r.problems()) {
                    problems++;
                    out.println("\u2718 " + r.check() + ": " + p.what());
                    out.println("    Fix: " + p.fix());
                }
            }
            if (problems == 0) {
                out.println("\u2714 No issues found when checking the cluster. The mesh is safe to install.");
            } else {
                out.println(problems + (problems == 1 ? " issue" : " issues")
                        + " found when checking the cluster; fix them before meshctl install.");
            }
            out.flush();
            return problems == 0 ? ExitCodes.OK : ExitCodes.UNKNOWN_ERROR;
        }
    }
}
