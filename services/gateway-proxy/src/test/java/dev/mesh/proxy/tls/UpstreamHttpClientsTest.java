package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.testing.TestCa;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Auto mutual TLS from a sidecar's HTTP client to a STRICT server, chosen per endpoint by its tlsMode. */
class UpstreamHttpClientsTest {

    static final Clock CLOCK = Clock.systemUTC();
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";
    static final String CLUSTER = "outbound|9080||ratings.shop.svc.cluster.local";

    final Vertx vertx = Vertx.vertx();
    final TestCa ca = new TestCa("mesh", CLOCK);

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static LbEndpoint endpoint(int port, String tlsMode) {
        return LbEndpoint.newBuilder().setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1")
                        .setPortValue(port)))).setMetadata(Metadata.newBuilder().putFilterMetadata(ClusterTls.MATCH_METADATA,
                                Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue(tlsMode).build())
                                        .build())).build();
    }

    MeshOutbound config(SecretResolver secrets, int tlsPort, int plainPort, String secretName) {
        var context = TestContexts.outbound().toBuilder();
        context.getCommonTlsContextBuilder().getTlsCertificateSdsSecretConfigsBuilder(0).setName(secretName);
        Cluster cluster = Cluster.newBuilder().setName(CLUSTER)
                .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
                        .setMatch(Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue("istio").build()))
                        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                                .setTypedConfig(Any.pack(context.build()))))
                .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-disabled")
                        .setMatch(Struct.getDefaultInstance()).setTransportSocket(TransportSocket.newBuilder()
                                .setName("envoy.transport_sockets.raw_buffer")))
                .build();
        ClusterLoadAssignment cla = ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER)
                .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(endpoint(tlsPort, "istio"))
                        .addLbEndpoints(endpoint(plainPort, "disabled"))).build();
        return MeshOutbound.from(List.of(Any.pack(cluster)), List.of(Any.pack(cla)), secrets, CLOCK);
    }

    @Test
    void sidecarEndpoint_getsMutualTls_plainEndpointNone_sameContextKeepsItsClient() throws Exception {
        CertificateStore server = CertificateStore.of(ca.issue(RATINGS, Duration.ofHours(1)));
        int tlsPort = await(vertx.createHttpServer(ServerTlsSettings.from(TestContexts.inbound(), new SecretResolver(server),
                CLOCK, "inbound").applyTo(new HttpServerOptions())).requestHandler(req -> req.response().end(
                        PeerIdentity.of(req.connection().sslSession()).map(PeerIdentity::uri).orElse("-")))
                .listen(0, "127.0.0.1")).actualPort();
        SecretResolver secrets = new SecretResolver(CertificateStore.of(ca.issue(REVIEWS, Duration.ofHours(1))));
        AtomicReference<MeshOutbound> applied = new AtomicReference<>(config(secrets, tlsPort, 9, "default"));
        UpstreamHttpClients clients = new UpstreamHttpClients(vertx, applied::get, new HttpClientOptions(), new PoolOptions());

        var client = clients.forEndpoint(CLUSTER, "127.0.0.1", tlsPort, false).orElseThrow();
        String body = await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(tlsPort).setURI("/"))
                .compose(r -> r.send()).compose(r -> r.body())).toString();
        assertThat(body).isEqualTo(REVIEWS);
        assertThat(clients.forEndpoint(CLUSTER, "127.0.0.1", 9, false)).isEmpty();
        assertThat(clients.forEndpoint("outbound|80||other", "127.0.0.1", tlsPort, false)).isEmpty();

        applied.set(config(secrets, tlsPort, 9, "default"));
        assertThat(clients.forEndpoint(CLUSTER, "127.0.0.1", tlsPort, false)).containsSame(client);
    }

    @Test
    void unusableTls_failsTheRequest_neverPlainText() throws Exception {
        int port = await(vertx.createHttpServer(new HttpServerOptions().setSsl(false)).requestHandler(req -> req.response()
                .end("plain")).listen(0, "127.0.0.1")).actualPort();
        SecretResolver secrets = new SecretResolver(new CertificateStore());
        UpstreamHttpClients clients = new UpstreamHttpClients(vertx, () -> config(secrets, port, 9,
                "kubernetes://creds"), new HttpClientOptions(), new PoolOptions());
        var client = clients.forEndpoint(CLUSTER, "127.0.0.1", port, false).orElseThrow();
        var result = client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/"))
                .compose(r -> r.send()).compose(r -> r.body()).toCompletionStage().toCompletableFuture();
        assertThat(result).failsWithin(Duration.ofSeconds(10));
    }
}
