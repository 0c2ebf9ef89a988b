package dev.mesh.cli;

import dev.mesh.cli.debug.ControlPlaneReplicas;
import dev.mesh.cli.debug.ControlPlaneReplicas.Replica;
import dev.mesh.cli.debug.ControlPlaneReplicas.Reply;
import dev.mesh.cli.kube.KubeErrors;
import dev.mesh.cli.proxy.ConfigDiff;
import dev.mesh.cli.proxy.ConfigDumpSource;
import dev.mesh.cli.proxy.ProxySourceOptions;
import dev.mesh.cli.proxy.SyncStatuses;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl proxy-status}: every proxy connected to each config-distributor replica, with what it was sent
 * and acknowledged per xDS type (the replicas' {@code /debug/syncz}); with a pod, what the control plane would
 * send it against what it applied.
 */
@Command(name = "proxy-status", aliases = "ps", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = {"Retrieve the synchronization status of each proxy in the mesh: per xDS type SYNCED (the"
                + " proxy acknowledged what it was sent), NOT SENT, or STALE (sent but not acknowledged, or"
                + " rejected), and the config-distributor replica serving it.",
                "With a pod, compare what the config-distributor sends it with what it applied (needs"
                        + " --proxy-admin)."},
        footer = {"", "Examples:",
                "  meshctl proxy-status",
                "  meshctl proxy-status podinfo-v1-d57b7c9fd-7swjb.demo",
                "  kubectl -n demo port-forward podinfo-v1-d57b7c9fd-7swjb 15000 &",
                "  meshctl proxy-status podinfo-v1-d57b7c9fd-7swjb.demo --proxy-admin localhost:15000"})
public class ProxyStatusCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "POD[.NAMESPACE]",
            description = "Only this proxy, and compare its configuration.")
    String pod;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "The pod's namespace when POD has none (default: default).")
    String namespace;

    @Mixin
    ProxySourceOptions source;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            source.validate();
            List<SyncStatuses.Row> rows = syncz(err);
            if (pod == null) {
                out.print(SyncStatuses.table(rows));
                out.flush();
                return ExitCodes.OK;
            }
            String proxyId = pod.contains(".") ? pod : pod + "." + (namespace == null ? "default" : namespace);
            List<SyncStatuses.Row> mine = rows.stream().filter(r -> r.name().equals(proxyId)).toList();
            if (mine.isEmpty()) {
                return fail("proxy " + proxyId + " is not connected to any config-distributor replica (meshctl"
                        + " proxy-status lists the connected proxies)");
            }
            out.print(SyncStatuses.table(mine));
            for (SyncStatuses.Row row : mine) {
                for (SyncStatuses.TypeSync t : row.types()) {
                    if (!t.lastNack().isEmpty()) {
                        out.println(t.type() + " version " + t.nackedVersion() + " was rejected by the proxy: "
                                + t.lastNack());
                    }
                }
            }
            out.println();
            if (source.proxyAdmin() == null) {
                out.println("What the proxy applied cannot be compared with what the config-distributor sends: a"
                        + " proxy serves its config_dump only on its admin port 15000, on 127.0.0.1 inside its pod."
                        + " Run `kubectl -n " + proxyId.substring(proxyId.lastIndexOf('.') + 1) + " port-forward "
                        + proxyId.substring(0, proxyId.lastIndexOf('.')) + " 15000` and pass --proxy-admin"
                        + " localhost:15000.");
                out.flush();
                return ExitCodes.OK;
            }
            ConfigDumpSource.Fetched sent = source.fetchFromDistributor(proxyId);
            ConfigDumpSource.Fetched applied = ConfigDumpSource.fromProxyAdmin(source.proxyAdmin());
            err.println("comparing " + sent.source() + " with " + applied.source());
            err.flush();
            out.print(ConfigDiff.describe(sent.dump(), applied.dump()));
            out.flush();
            return ExitCodes.OK;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            return fail(e.getMessage());
        } catch (KubernetesClientException e) {
            return fail("cannot read the cluster: " + KubeErrors.describe(e));
        }
    }

    /** Every replica's proxies; a replica that cannot be read is reported on stderr and skipped. */
    private List<SyncStatuses.Row> syncz(PrintWriter err) throws IOException {
        List<SyncStatuses.Row> rows = new ArrayList<>();
        if (source.xdsAddress() != null) {
            Reply reply = ControlPlaneReplicas.getAddress(source.xdsAddress(), "/debug/syncz",
                    java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(15));
            if (!reply.ok()) {
                throw new IOException(reply.via() + " answered HTTP " + reply.status() + ": " + reply.body().strip());
            }
            return SyncStatuses.parse(reply.body(), source.xdsAddress());
        }
        try (KubernetesClient client = source.client()) {
            ControlPlaneReplicas replicas = source.replicas(client);
            List<Replica> ready = replicas.replicas(ControlPlaneReplicas.DISTRIBUTOR).stream()
                    .filter(Replica::ready).toList();
            if (ready.isEmpty()) {
                throw new IOException("no ready " + ControlPlaneReplicas.DISTRIBUTOR + " pod in namespace "
                        + source.istioNamespace() + " (label app=" + ControlPlaneReplicas.DISTRIBUTOR + "): is the"
                        + " mesh installed there? Pass -i/--istioNamespace, or --xds-address host:port");
            }
            int answered = 0;
            for (Replica replica : ready) {
                try {
                    Reply reply = replicas.get(replica, "/debug/syncz");
                    if (!reply.ok()) {
                        err.println("Warning: " + replica.pod() + " answered HTTP " + reply.status()
                                + " to /debug/syncz; its proxies are not listed");
                        continue;
                    }
                    rows.addAll(SyncStatuses.parse(reply.body(), replica.pod()));
                    answered++;
                } catch (IOException e) {
                    err.println("Warning: " + e.getMessage() + "; its proxies are not listed");
                }
            }
            err.flush();
            if (answered == 0) {
                throw new IOException("no " + ControlPlaneReplicas.DISTRIBUTOR + " replica answered /debug/syncz");
            }
        }
        return rows;
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("Error: " + message);
        spec.commandLine().getErr().flush();
        return ExitCodes.UNKNOWN_ERROR;
    }
}
