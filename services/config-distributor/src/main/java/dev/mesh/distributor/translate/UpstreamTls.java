package dev.mesh.distributor.translate;

import dev.mesh.api.networking.ClientTLSSettings;
import dev.mesh.distributor.translate.MeshService.MeshPort;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/**
 * How a cluster talks TLS to its endpoints: where DestinationRule {@code tls.mode} and auto mutual
 * TLS plug in ({@link MeshTls}). {@link #PLAINTEXT} leaves clusters without a transport socket.
 */
@FunctionalInterface
public interface UpstreamTls {

    UpstreamTls PLAINTEXT = (cluster, index, service, port, subset, policy) -> {
    };

    /**
     * @param subset the cluster's subset, empty for the service-wide cluster
     * @param policy the DestinationRule's TLS settings for this port and subset, or null when it has none
     */
    void apply(Cluster.Builder cluster, MeshIndex index, MeshService service, MeshPort port, String subset,
            ClientTLSSettings policy);
}
