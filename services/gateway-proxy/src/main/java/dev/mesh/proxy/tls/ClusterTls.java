package dev.mesh.proxy.tls;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster's TLS to its endpoints: one transport socket for all (DestinationRule tls), or Envoy's
 * {@code transport_socket_matches} chosen per endpoint by its {@code envoy.transport_socket_match} metadata (auto
 * mutual TLS: {@code tlsMode: istio} → mesh TLS, anything else → plain). A socket that is not TLS is plain text.
 */
public record ClusterTls(Optional<ClientTlsSettings> always, List<Match> matches) {

    /** The endpoint metadata key the matches compare with (Envoy's). */
    public static final String MATCH_METADATA = "envoy.transport_socket_match";
    static final String TLS_SOCKET = "envoy.transport_sockets.tls";
    static final String TLS_TYPE = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

    /** One entry: every field of {@code match} must equal the endpoint's; {@code tls} empty means plain text. */
    public record Match(String name, Map<String, String> match, Optional<ClientTlsSettings> tls) {
    }

    public static final ClusterTls PLAINTEXT = new ClusterTls(Optional.empty(), List.of());

    public ClusterTls {
        matches = List.copyOf(matches);
    }

    public static ClusterTls from(Cluster cluster, SecretResolver secrets, Clock clock) {
        String at = "cluster " + cluster.getName();
        Optional<ClientTlsSettings> always = cluster.hasTransportSocket()
                ? socket(cluster.getTransportSocket(), secrets, clock, at + " transport_socket") : Optional.empty();
        List<Match> matches = new ArrayList<>();
        for (int i = 0; i < cluster.getTransportSocketMatchesCount(); i++) {
            Cluster.TransportSocketMatch m = cluster.getTransportSocketMatches(i);
            String where = at + " transport_socket_matches[" + i + "] (" + m.getName() + ")";
            matches.add(new Match(m.getName(), strings(m.getMatch(), where),
                    socket(m.getTransportSocket(), secrets, clock, where)));
        }
        return new ClusterTls(always, matches);
    }

    private static Optional<ClientTlsSettings> socket(TransportSocket socket, SecretResolver secrets, Clock clock,
            String at) {
        if (socket.getTypedConfig().getTypeUrl().equals(TLS_TYPE)) {
            return Optional.of(ClientTlsSettings.from(socket, secrets, clock, at));
        }
        if (socket.getName().equals(TLS_SOCKET)) {
            throw new IllegalArgumentException(at + ": a TLS transport socket needs an UpstreamTlsContext, not "
                    + socket.getTypedConfig().getTypeUrl());
        }
        return Optional.empty();
    }

    /** The endpoint's match metadata ({@code filter_metadata["envoy.transport_socket_match"]}) as strings. */
    public static Map<String, String> endpointMatch(Metadata metadata) {
        Struct struct = metadata.getFilterMetadataMap().get(MATCH_METADATA);
        return struct == null ? Map.of() : strings(struct, "endpoint metadata");
    }

    private static Map<String, String> strings(Struct struct, String at) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : struct.getFieldsMap().entrySet()) {
            Value v = e.getValue();
            out.put(e.getKey(), switch (v.getKindCase()) {
                case STRING_VALUE -> v.getStringValue();
                case BOOL_VALUE -> String.valueOf(v.getBoolValue());
                case NUMBER_VALUE -> String.valueOf(v.getNumberValue());
                default -> throw new IllegalArgumentException(at + ": match field " + e.getKey()
                        + " must be a string, bool or number");
            });
        }
        return Map.copyOf(out);
    }

    /** The TLS for an endpoint with this match metadata; empty means plain text. */
    public Optional<ClientTlsSettings> forEndpoint(Map<String, String> endpointMatch) {
        for (Match m : matches) {
            if (endpointMatch.entrySet().containsAll(m.match().entrySet())) {
                return m.tls();
            }
        }
        return always;
    }

    /** Whether any endpoint may get TLS. */
    public boolean any() {
        return always.isPresent() || matches.stream().anyMatch(m -> m.tls().isPresent());
    }
}
