package dev.mesh.cluster.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How the local node runs pods.
 *
 * @param meshRoot     the repository's root: where the packaged services and the podinfo-app jar are
 * @param runDir       pod files (volumes, logs), staged images and the node's state file; must be readable by
 *                     any uid (the sidecar runs as 1337), so not under {@code /root}
 * @param bridge       name of the Linux bridge the node owns
 * @param podCidr      the pod address range; the bridge takes its first address
 * @param hostAliases  extra /etc/hosts names for every pod, to an address (the control plane run as host
 *                     processes: {@code config-distributor.istio-system.svc} to the bridge address)
 * @param apiServer    how pods reach the API server (the in-cluster service-account way), if they can
 * @param stopGrace    how long a container has between SIGTERM and SIGKILL at most (the pod's
 *                     terminationGracePeriodSeconds when shorter)
 */
public record NodeOptions(Path meshRoot, Path runDir, String bridge, String podCidr, Map<String, String> hostAliases,
        Optional<ApiAccess> apiServer, Duration stopGrace) {

    /** The API server as pods see it: {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} and the CA of its certificate. */
    public record ApiAccess(String host, int port, String caPem) {
    }

    public NodeOptions {
        hostAliases = Map.copyOf(hostAliases);
    }

    /** Bridge {@code mesh0}, pods in 10.244.0.0/16, files under {@code /var/tmp/mesh-node}. */
    public static NodeOptions defaults(Path meshRoot) {
        return new NodeOptions(meshRoot, Path.of("/var/tmp/mesh-node"), "mesh0", "10.244.0.0/16", Map.of(),
                Optional.empty(), Duration.ofSeconds(10));
    }

    public NodeOptions withRunDir(Path dir) {
        return new NodeOptions(meshRoot, dir, bridge, podCidr, hostAliases, apiServer, stopGrace);
    }

    public NodeOptions withHostAliases(Map<String, String> aliases) {
        return new NodeOptions(meshRoot, runDir, bridge, podCidr, aliases, apiServer, stopGrace);
    }

    public NodeOptions withApiServer(ApiAccess access) {
        return new NodeOptions(meshRoot, runDir, bridge, podCidr, hostAliases, Optional.of(access), stopGrace);
    }
}
