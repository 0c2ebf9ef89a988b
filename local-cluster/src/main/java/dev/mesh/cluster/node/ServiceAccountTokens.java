package dev.mesh.cluster.node;

import java.time.Duration;
import java.util.List;

/** Issues the service-account tokens projected into pods (the local API server's token issuer). */
@FunctionalInterface
public interface ServiceAccountTokens {

    /** A signed token for {@code serviceAccount} in {@code namespace}, bound to the pod, for {@code audiences}. */
    String issue(String namespace, String serviceAccount, String podName, String podUid, List<String> audiences,
            Duration ttl);
}
