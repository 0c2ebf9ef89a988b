package dev.mesh.cli;

import dev.mesh.cli.install.ChartOptions;
import dev.mesh.cli.install.ClusterChange;
import dev.mesh.cli.install.Manifest;
import dev.mesh.cli.install.Uninstaller;
import dev.mesh.cli.kube.KubeOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshctl uninstall}: removes the mesh. With {@code --purge} everything any profile installs goes, CRDs
 * included (as istioctl's {@code --purge}); without it, what the given values render, CRDs kept.
 */
@Command(name = "uninstall", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Uninstall the mesh from the current cluster.",
        footer = {"", "Examples:",
                "  meshctl uninstall --purge -y          # everything, CRDs and the mesh namespace included",
                "  meshctl uninstall --set profile=demo  # what that install applied; CRDs and Istio resources kept"})
public class UninstallCommand implements Callable<Integer> {

    private static final List<String> PROFILES = List.of("demo", "default", "minimal");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ChartOptions chart;

    @Mixin
    KubeOptions kube;

    @Option(names = "--purge", description = "Remove everything of the mesh: every profile's components, the CRDs"
            + " (and with them every Istio resource), and the mesh namespace if meshctl created it.")
    boolean purge;

    @Option(names = {"-y", "--skip-confirmation"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "300s",
            converter = InstallCommand.DurationConverter.class,
            description = "How long to wait for the mesh's pods to go (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Manifest manifest;
        try {
            manifest = purge ? everyProfile() : chart.render();
        } catch (IllegalArgumentException e) {
            err.println("Error: " + e.getMessage());
            return ExitCodes.INCORRECT_USAGE;
        }
        if (!yes && !ClusterChange.confirmed(out, "All mesh resources" + (purge ? ", CRDs included," : "")
                + " will be removed from the cluster.")) {
            return ExitCodes.UNKNOWN_ERROR;
        }
        return ClusterChange.run(kube, out, err, "Uninstall", client -> new Uninstaller(client, out, timeout,
                Duration.ofMillis(500)).uninstall(manifest, chart.namespace(), purge));
    }

    /** The union of what every profile renders (with the user's other values), so a purge misses nothing. */
    private Manifest everyProfile() {
        Map<String, HasMetadata> union = new LinkedHashMap<>();
        for (String profile : PROFILES) {
            List<String> sets = new ArrayList<>(chart.rawSets());
            sets.add("profile=" + profile);
            for (HasMetadata object : chart.withSets(sets).render().objects()) {
                union.putIfAbsent(object.getApiVersion() + "/" + object.getKind() + "/"
                        + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName(), object);
            }
        }
        return Manifest.of(new ArrayList<>(union.values()));
    }
}
