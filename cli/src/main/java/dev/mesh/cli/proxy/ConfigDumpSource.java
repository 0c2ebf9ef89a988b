package dev.mesh.cli.proxy;

import dev.mesh.cli.debug.ControlPlaneReplicas;
import dev.mesh.cli.debug.ControlPlaneReplicas.Replica;
import dev.mesh.cli.debug.ControlPlaneReplicas.Reply;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a proxy's configuration is read from: the proxy's own admin {@code /config_dump} (what it applied), or
 * the config-distributor's {@code /debug/config_dump?proxyID=} (what it is sent), found at an explicit address or
 * on whichever replica the proxy is connected to.
 */
public final class ConfigDumpSource {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private ConfigDumpSource() {
    }

    /** A config dump and a sentence saying where it came from. */
    public record Fetched(EnvoyConfigDump dump, String source) {
    }

    /** The proxy's admin endpoint, {@code --proxy-admin host:port}. */
    public static Fetched fromProxyAdmin(String hostPort) throws IOException {
        Reply reply = ControlPlaneReplicas.getAddress(hostPort, "/config_dump", CONNECT_TIMEOUT, REQUEST_TIMEOUT);
        if (!reply.ok()) {
            throw new IOException(reply.via() + " answered HTTP " + reply.status() + ": " + reply.body().strip());
        }
        return new Fetched(EnvoyConfigDump.parse(reply.body(), reply.via()),
                "the proxy's own admin endpoint " + reply.via() + " (the configuration it applied)");
    }

    /** A config-distributor at {@code --xds-address host:port}. */
    public static Fetched fromDistributorAddress(String hostPort, String proxyId) throws IOException {
        Reply reply = ControlPlaneReplicas.getAddress(hostPort, configDumpPath(proxyId), CONNECT_TIMEOUT,
                REQUEST_TIMEOUT);
        if (reply.status() == 404) {
            throw new IOException("proxy " + proxyId + " is not connected to the config-distributor at " + hostPort
                    + " (" + reply.via() + " answered 404)");
        }
        if (!reply.ok()) {
            throw new IOException(reply.via() + " answered HTTP " + reply.status() + ": " + reply.body().strip());
        }
        return new Fetched(EnvoyConfigDump.parse(reply.body(), reply.via()),
                "config-distributor at " + hostPort + " (" + reply.via() + ", the configuration it sends)");
    }

    /** Each ready config-distributor replica in turn, until one has the proxy connected. */
    public static Fetched fromDistributors(ControlPlaneReplicas replicas, String namespace, String proxyId)
            throws IOException {
        List<Replica> all = replicas.replicas(ControlPlaneReplicas.DISTRIBUTOR);
        if (all.isEmpty()) {
            throw new IOException("no " + ControlPlaneReplicas.DISTRIBUTOR + " pods in namespace " + namespace
                    + " (label app=" + ControlPlaneReplicas.DISTRIBUTOR + "): is the mesh installed there? Pass"
                    + " -i/--istioNamespace, or --xds-address host:port");
        }
        List<Replica> ready = all.stream().filter(Replica::ready).toList();
        if (ready.isEmpty()) {
            throw new IOException("no " + ControlPlaneReplicas.DISTRIBUTOR + " pod in namespace " + namespace
                    + " is ready (pods: " + String.join(", ", all.stream().map(Replica::pod).toList()) + ")");
        }
        List<String> notConnected = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Replica replica : ready) {
            Reply reply;
            try {
                reply = replicas.get(replica, configDumpPath(proxyId));
            } catch (IOException e) {
                failures.add(e.getMessage());
                continue;
            }
            if (reply.ok()) {
                return new Fetched(EnvoyConfigDump.parse(reply.body(), reply.via()),
                        ControlPlaneReplicas.DISTRIBUTOR + " replica " + replica.pod() + " (" + reply.via()
                                + ", the configuration it sends)");
            }
            if (reply.status() == 404) {
                notConnected.add(replica.pod());
            } else {
                failures.add(replica.pod() + " answered HTTP " + reply.status() + ": " + reply.body().strip());
            }
        }
        StringBuilder message = new StringBuilder();
        if (!notConnected.isEmpty()) {
            message.append("proxy ").append(proxyId).append(" is not connected to ")
                    .append(notConnected.size() == 1 ? "replica " : "replicas ")
                    .append(String.join(", ", notConnected))
                    .append(": check the pod name and namespace, and that its sidecar runs (meshctl proxy-status"
                            + " lists the connected proxies)");
        }
        for (String failure : failures) {
            message.append(message.isEmpty() ? "" : "; ").append(failure);
        }
        throw new IOException(message.toString());
    }

    static String configDumpPath(String proxyId) {
        return "/debug/config_dump?proxyID=" + URLEncoder.encode(proxyId, StandardCharsets.UTF_8);
    }
}
