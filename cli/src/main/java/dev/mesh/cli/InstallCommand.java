package dev.mesh.cli;

import dev.mesh.cli.install.ChartOptions;
import dev.mesh.cli.install.ClusterChange;
import dev.mesh.cli.install.Installer;
import dev.mesh.cli.install.Manifest;
import dev.mesh.cli.kube.KubeOptions;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshctl install}: renders the embedded chart, applies it and waits for every component. */
@Command(name = "install", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Install the mesh into the current cluster: the chart in deploy/charts/mesh, rendered with your"
                + " values, applied, then each component waited for until ready.",
        footer = {"", "Examples:",
                "  meshctl install --set profile=demo -y",
                "  meshctl install --set configDistributor.replicas=3 -y",
                "  meshctl install -f my-values.yaml --context kind-mesh"})
public class InstallCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ChartOptions chart;

    @Mixin
    KubeOptions kube;

    @Option(names = {"-y", "--skip-confirmation"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = "--readiness-timeout", paramLabel = "DURATION", defaultValue = "300s",
            converter = DurationConverter.class,
            description = "How long to wait for each component to become ready (default: ${DEFAULT-VALUE}).")
    Duration readinessTimeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Manifest manifest;
        try {
            manifest = chart.render();
        } catch (IllegalArgumentException e) {
            err.println("Error: " + e.getMessage());
            return ExitCodes.INCORRECT_USAGE;
        }
        String components = String.join(", ", manifest.all(Deployment.class).stream()
                .map(d -> d.getMetadata().getName()).toList());
        if (!yes && !ClusterChange.confirmed(out, "This will install the mesh \"" + chart.profile()
                + "\" profile (components: " + components + ") into the cluster.")) {
            return ExitCodes.UNKNOWN_ERROR;
        }
        return ClusterChange.run(kube, out, err, "Installation", client -> new Installer(client, out,
                readinessTimeout, Duration.ofMillis(500)).install(manifest, chart.namespace()));
    }

    /** Go-style durations as istioctl takes them: {@code 300s}, {@code 5m}, {@code 1h}, {@code 500ms}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value.strip());
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("\"" + value
                        + "\" is not a duration: use a number with ms, s, m or h, e.g. 300s or 5m");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }
}
