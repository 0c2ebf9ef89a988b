package dev.mesh.cli.proxy;

import dev.mesh.cli.debug.ControlPlaneReplicas;
import dev.mesh.cli.kube.KubeOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.regex.Pattern;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where {@code proxy-config} and {@code proxy-status} read from: the flags, and the reading. */
public final class ProxySourceOptions {

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[^:\\s/]+):(\\d{1,5})");

    @Mixin
    KubeOptions kube;

    @Option(names = {"-i", "--istioNamespace"}, paramLabel = "NAMESPACE", defaultValue = "istio-system",
            description = "The mesh's control-plane namespace, where the config-distributor pods run (default:"
                    + " ${DEFAULT-VALUE}).")
    String istioNamespace;

    @Option(names = "--xds-address", paramLabel = "HOST:PORT",
            description = "Ask the config-distributor at this address (its HTTP port, 15014) instead of finding its"
                    + " pods in the cluster.")
    String xdsAddress;

    @Option(names = "--proxy-admin", paramLabel = "HOST:PORT",
            description = "Read the proxy's own admin endpoint (port 15000 in its pod, e.g. through kubectl"
                    + " port-forward) for the configuration it applied, instead of what the control plane sends.")
    String proxyAdmin;

    public String istioNamespace() {
        return istioNamespace;
    }

    public String xdsAddress() {
        return xdsAddress;
    }

    public String proxyAdmin() {
        return proxyAdmin;
    }

    /** The flags' host:port values are checked before anything is asked. */
    public void validate() {
        check("--xds-address", xdsAddress);
        check("--proxy-admin", proxyAdmin);
    }

    private static void check(String flag, String value) {
        if (value != null) {
            var m = HOST_PORT.matcher(value);
            if (!m.matches() || Integer.parseInt(m.group(2)) == 0 || Integer.parseInt(m.group(2)) > 65535) {
                throw new IllegalArgumentException(flag + " \"" + value + "\" is not HOST:PORT (e.g. localhost:15000)");
            }
        }
    }

    /** A Kubernetes client for the chosen cluster. */
    public KubernetesClient client() {
        return kube.client();
    }

    /** The replicas of the mesh namespace, through {@code client}. */
    public ControlPlaneReplicas replicas(KubernetesClient client) {
        return new ControlPlaneReplicas(client, istioNamespace, ConfigDumpSource.CONNECT_TIMEOUT,
                ConfigDumpSource.REQUEST_TIMEOUT);
    }

    /** The proxy's config dump: its admin if given, else the config-distributor at the address or in the cluster. */
    public ConfigDumpSource.Fetched fetch(String proxyId) throws IOException {
        if (proxyAdmin != null) {
            return ConfigDumpSource.fromProxyAdmin(proxyAdmin);
        }
        return fetchFromDistributor(proxyId);
    }

    /** What the config-distributor sends the proxy, whatever {@code --proxy-admin} says. */
    public ConfigDumpSource.Fetched fetchFromDistributor(String proxyId) throws IOException {
        if (xdsAddress != null) {
            return ConfigDumpSource.fromDistributorAddress(xdsAddress, proxyId);
        }
        try (KubernetesClient client = client()) {
            return ConfigDumpSource.fromDistributors(replicas(client), istioNamespace, proxyId);
        }
    }
}
