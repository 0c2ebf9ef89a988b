package dev.mesh.proxy.tls;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TLS of every upstream connection the applied config asks for: per cluster its {@link ClusterTls}, per
 * endpoint its {@code envoy.transport_socket_match} metadata (from EDS, or a cluster's inline load assignment).
 * Built once per config from the applied CDS and EDS resources.
 */
public final class MeshOutbound {

    /** What the TLS of one upstream connection is; {@code error} when the cluster's TLS could not be built. */
    public record Upstream(Optional<ClientTlsSettings> tls, Optional<String> error) {
        static final Upstream PLAIN = new Upstream(Optional.empty(), Optional.empty());
    }

    public static final MeshOutbound EMPTY = new MeshOutbound(Map.of(), Map.of(), Map.of(), List.of());

    private final Map<String, ClusterTls> clusters;
    private final Map<String, String> clusterErrors;
    /** EDS service name → "host:port" → match metadata. */
    private final Map<String, Map<String, Map<String, String>>> endpoints;
    private final List<String> errors;
    private final Map<String, String> edsNames = new HashMap<>();

    private MeshOutbound(Map<String, ClusterTls> clusters, Map<String, String> clusterErrors,
            Map<String, Map<String, Map<String, String>>> endpoints, List<String> errors) {
        this.clusters = clusters;
        this.clusterErrors = clusterErrors;
        this.endpoints = endpoints;
        this.errors = List.copyOf(errors);
    }

    public static MeshOutbound from(List<Any> clusterResources, List<Any> endpointResources, SecretResolver secrets,
            Clock clock) {
        Map<String, ClusterTls> clusters = new HashMap<>();
        Map<String, String> clusterErrors = new HashMap<>();
        Map<String, Map<String, Map<String, String>>> endpoints = new HashMap<>();
        Map<String, String> eds = new HashMap<>();
        List<String> errors = new ArrayList<>();
        for (Any any : clusterResources) {
            Cluster cluster;
            try {
                cluster = any.unpack(Cluster.class);
            } catch (InvalidProtocolBufferException e) {
                continue;
            }
            String edsName = cluster.getEdsClusterConfig().getServiceName().isEmpty() ? cluster.getName()
                    : cluster.getEdsClusterConfig().getServiceName();
            eds.put(cluster.getName(), edsName);
            if (cluster.hasLoadAssignment()) {
                endpoints.put(edsName, matches(cluster.getLoadAssignment()));
            }
            try {
                ClusterTls tls = ClusterTls.from(cluster, secrets, clock);
                if (tls.any()) {
                    clusters.put(cluster.getName(), tls);
                }
            } catch (IllegalArgumentException e) {
                clusterErrors.put(cluster.getName(), e.getMessage());
                errors.add(e.getMessage());
            }
        }
        for (Any any : endpointResources) {
            try {
                ClusterLoadAssignment cla = any.unpack(ClusterLoadAssignment.class);
                endpoints.put(cla.getClusterName(), matches(cla));
            } catch (InvalidProtocolBufferException e) {
                // not an endpoint resource: nothing to match
            }
        }
        MeshOutbound out = new MeshOutbound(Map.copyOf(clusters), Map.copyOf(clusterErrors), Map.copyOf(endpoints),
                errors);
        out.edsNames.putAll(eds);
        return out;
    }

    private static Map<String, Map<String, String>> matches(ClusterLoadAssignment cla) {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (LocalityLbEndpoints locality : cla.getEndpointsList()) {
            for (LbEndpoint ep : locality.getLbEndpointsList()) {
                var address = ep.getEndpoint().getAddress().getSocketAddress();
                out.put(address.getAddress() + ":" + address.getPortValue(), ClusterTls.endpointMatch(ep.getMetadata()));
            }
        }
        return out;
    }

    /** The TLS to use for one endpoint of a cluster (plain text when the cluster asks for none). */
    public Upstream forEndpoint(String cluster, String host, int port) {
        String error = clusterErrors.get(cluster);
        if (error != null) {
            return new Upstream(Optional.empty(), Optional.of(error));
        }
        ClusterTls tls = clusters.get(cluster);
        if (tls == null) {
            return Upstream.PLAIN;
        }
        Map<String, Map<String, String>> byAddress = endpoints.getOrDefault(edsNames.getOrDefault(cluster, cluster),
                Map.of());
        return new Upstream(tls.forEndpoint(byAddress.getOrDefault(host + ":" + port, Map.of())), Optional.empty());
    }

    /** Clusters whose TLS could not be built, with why: their connections must fail, not go out in plain text. */
    public List<String> errors() {
        return errors;
    }
}
