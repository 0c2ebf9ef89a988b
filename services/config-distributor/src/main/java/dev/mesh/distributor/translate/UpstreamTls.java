package dev.mesh.distributor.translate;

import dev.mesh.api.networking.ClientTLSSettings;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/**
 * How a cluster talks TLS to its endpoints: the seam where DestinationRule {@code tls.mode} and
 * auto-mTLS plug in (the mutual-TLS issue). {@link #PLAINTEXT} leaves clusters without a transport socket.
 */
@FunctionalInterface
public interface UpstreamTls {

    UpstreamTls PLAINTEXT = (cluster, service, policy) -> {
    };

    /**
     * @param policy the DestinationRule's TLS settings for this port, or null when it has none
     */
    void apply(Cluster.Builder cluster, MeshService service, ClientTLSSettings policy);
}
