package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mesh.proxy.identity.CertificateStore;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Auto mutual TLS as the distributor sends it: TLS to endpoints labelled tlsMode=istio, plain text to the rest. */
class ClusterTlsTest {

    static final String SNI = "outbound_.9080_._.ratings.shop.svc.cluster.local";
    final SecretResolver secrets = new SecretResolver(new CertificateStore());

    static TransportSocket tls() {
        return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(
                MeshContexts.outbound(SNI, List.of("istio-peer-exchange", "istio"),
                        List.of("spiffe://cluster.local/ns/shop/sa/ratings"), true))).build();
    }

    static final TransportSocket RAW = TransportSocket.newBuilder().setName("envoy.transport_sockets.raw_buffer")
            .setTypedConfig(Any.pack(RawBuffer.getDefaultInstance())).build();

    static Struct match(String k, String v) {
        return Struct.newBuilder().putFields(k, Value.newBuilder().setStringValue(v).build()).build();
    }

    @Test
    void autoMtls_picksPerEndpointByTlsMode() {
        Cluster cluster = Cluster.newBuilder().setName("outbound|9080||ratings.shop.svc.cluster.local")
                .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
                        .setMatch(match("tlsMode", "istio")).setTransportSocket(tls()))
                .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-disabled")
                        .setMatch(Struct.getDefaultInstance()).setTransportSocket(RAW))
                .build();
        ClusterTls tls = ClusterTls.from(cluster, secrets, Clock.systemUTC());
        Metadata sidecar = Metadata.newBuilder().putFilterMetadata(ClusterTls.MATCH_METADATA, match("tlsMode", "istio")).build();
        Metadata plain = Metadata.newBuilder().putFilterMetadata(ClusterTls.MATCH_METADATA, match("tlsMode", "disabled")).build();

        assertThat(tls.forEndpoint(ClusterTls.endpointMatch(sidecar)))
                .hasValueSatisfying(s -> assertThat(s.sni()).isEqualTo(SNI))
                .hasValueSatisfying(s -> assertThat(s.alpn()).containsExactly("istio"));
        assertThat(tls.forEndpoint(ClusterTls.endpointMatch(plain))).isEmpty();
        assertThat(tls.forEndpoint(Map.of())).isEmpty();
        assertThat(tls.any()).isTrue();
    }

    @Test
    void destinationRuleTls_appliesToEveryEndpoint_noTlsIsPlain() {
        ClusterTls always = ClusterTls.from(Cluster.newBuilder().setName("c").setTransportSocket(tls()).build(), secrets,
                Clock.systemUTC());
        assertThat(always.forEndpoint(Map.of("tlsMode", "disabled"))).isPresent();
        assertThat(ClusterTls.from(Cluster.newBuilder().setName("c").build(), secrets, Clock.systemUTC()).any()).isFalse();
    }

    @Test
    void unresolvableSecret_failsTheClusterNamingIt() {
        var context = MeshContexts.outbound(SNI, List.of("istio"), List.of(), true).toBuilder();
        context.getCommonTlsContextBuilder().getTlsCertificateSdsSecretConfigsBuilder(0).setName("kubernetes://creds");
        Cluster cluster = Cluster.newBuilder().setName("outbound|443||api.example.com").setTransportSocket(
                TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(context.build())))
                .build();
        assertThatThrownBy(() -> ClusterTls.from(cluster, secrets, Clock.systemUTC()))
                .hasMessageContaining("cluster outbound|443||api.example.com").hasMessageContaining("kubernetes://creds");
    }
}
