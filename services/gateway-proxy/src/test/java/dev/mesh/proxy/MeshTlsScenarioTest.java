package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.ProxyHarness.get;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.TestCa;
import dev.mesh.proxy.tls.PeerIdentity;
import dev.mesh.proxy.tls.SecretResolver;
import dev.mesh.proxy.tls.ServerTlsSettings;
import dev.mesh.proxy.tls.TestContexts;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's upstream mutual TLS as the control plane configures it, through the running proxy (router mode, a
 * fake control plane): auto mTLS by endpoint tlsMode, and DestinationRule ISTIO_MUTUAL; the destination is a STRICT
 * server built from the distributor's inbound context that answers with the SPIFFE id of the client it verified.
 */
class MeshTlsScenarioTest {

    static final Clock CLOCK = Clock.systemUTC();
    static final String GATEWAY = "spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String AUTO = "outbound|80||ratings.shop.svc.cluster.local";
    static final String MUTUAL = "outbound|80|v1|ratings.shop.svc.cluster.local";
    static final com.google.protobuf.Duration TEN_SECONDS = com.google.protobuf.Duration.newBuilder().setSeconds(10).build();

    @TempDir
    Path dir;
    Vertx vertx;
    FakeControlPlane cp;
    GatewayProxy proxy;
    Backend plain;
    int strictPort;
    int port;
    final TestCa ca = new TestCa("mesh", CLOCK);

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        plain = Backend.start(vertx, "ratings-plain");
        CertificateStore ratings = CertificateStore.of(ca.issue(RATINGS, Duration.ofHours(1)));
        strictPort = vertx.createHttpServer(ServerTlsSettings.from(TestContexts.inbound(), new SecretResolver(ratings),
                CLOCK, "ratings inbound").applyTo(new HttpServerOptions()))
                .requestHandler(req -> req.response().putHeader("x-backend", "ratings-strict").end("peer="
                        + PeerIdentity.of(req.connection().sslSession()).map(PeerIdentity::uri).orElse("-")))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        port = ProxyHarness.freePort();
        cp = new FakeControlPlane().start();
        cp.set(XdsState.CDS, List.of(
                // Istio's default connect timeout (10 s): it covers the TLS handshake, the first of which in a cold
                // JVM on a busy machine can take longer than the 1 s of the shared test clusters.
                edsCluster(AUTO, Cluster.LbPolicy.ROUND_ROBIN).toBuilder().setConnectTimeout(TEN_SECONDS)
                        .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
                                .setMatch(tlsMode("istio")).setTransportSocket(meshTls()))
                        .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-disabled")
                                .setMatch(Struct.getDefaultInstance()).setTransportSocket(TransportSocket.newBuilder()
                                        .setName("envoy.transport_sockets.raw_buffer")))
                        .build(),
                edsCluster(MUTUAL, Cluster.LbPolicy.ROUND_ROBIN).toBuilder().setConnectTimeout(TEN_SECONDS)
                        .setTransportSocket(meshTls()).build()));
        cp.set(XdsState.EDS, List.of(withTlsModes(AUTO, Map.of(strictPort, "istio", plain.port(), "disabled")),
                endpoints(MUTUAL, "ratings-v1@" + strictPort)));
        cp.set(XdsState.LDS, List.of(Resources.httpListener(port)));
        cp.set(XdsState.RDS, List.of(Resources.routes(port,
                host("v1", List.of("v1.example.com"), route("v1", prefix("/"), toCluster(MUTUAL))),
                host("all", List.of("*"), route("all", prefix("/"), toCluster(AUTO))))));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        cp.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Struct tlsMode(String mode) {
        return Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue(mode).build()).build();
    }

    static TransportSocket meshTls() {
        UpstreamTlsContext context = TestContexts.outbound();
        return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(context)).build();
    }

    static ClusterLoadAssignment withTlsModes(String cluster, Map<Integer, String> modes) {
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
        modes.forEach((p, mode) -> locality.addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                        .setAddress(Resources.address("127.0.0.1", p)))
                .setMetadata(Metadata.newBuilder().putFilterMetadata("envoy.transport_socket_match", tlsMode(mode)))));
        return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
    }

    GatewayProxy startProxy(CertificateStore identity) throws Exception {
        GatewayProxy p = ProxyHarness.startProxy(vertx, cp.address(), dir.resolve("saved.pb"), Duration.ofSeconds(5));
        if (identity != null) {
            p.useIdentity(identity);
        }
        await("first config", Duration.ofSeconds(10), p::ready);
        return p;
    }

    @Test
    void autoMtls_sidecarEndpointGetsMutualTls_plainEndpointPlainText_destinationRuleMutual() throws Exception {
        proxy = startProxy(CertificateStore.of(ca.issue(GATEWAY, Duration.ofHours(1))));
        HttpClient client = ProxyHarness.client(vertx, false);
        boolean sawStrict = false;
        boolean sawPlain = false;
        for (int i = 0; i < 6; i++) {
            var r = get(client, port, "ratings.example.com", "/", Map.of());
            assertThat(r.status()).as("request " + i + ": " + r.body()).isEqualTo(200);
            if ("ratings-strict".equals(r.headers().get("x-backend"))) {
                assertThat(r.body()).isEqualTo("peer=" + GATEWAY);
                sawStrict = true;
            } else {
                assertThat(r.headers().get("x-backend")).isEqualTo("ratings-plain");
                sawPlain = true;
            }
        }
        assertThat(sawStrict && sawPlain).as("round robin reached both endpoints").isTrue();
        var v1 = get(client, port, "v1.example.com", "/", Map.of());
        assertThat(v1.status()).isEqualTo(200);
        assertThat(v1.body()).isEqualTo("peer=" + GATEWAY);
    }

    @Test
    void mutualTlsUpstream_isLabelledWithBothPrincipals_plainTextWithNone() throws Exception {
        proxy = startProxy(CertificateStore.of(ca.issue(GATEWAY, Duration.ofHours(1))));
        java.util.Queue<dev.mesh.proxy.http.RequestRecord> records = new java.util.concurrent.ConcurrentLinkedQueue<>();
        proxy.observe(records::add);
        HttpClient client = ProxyHarness.client(vertx, false);
        assertThat(get(client, port, "v1.example.com", "/mtls", Map.of()).status()).isEqualTo(200);
        await("the record of /mtls", Duration.ofSeconds(5), () -> records.stream().anyMatch(r -> r.path().equals("/mtls")));
        var mtls = records.stream().filter(r -> r.path().equals("/mtls")).findFirst().orElseThrow();
        assertThat(mtls.destination().principal()).isEqualTo(RATINGS);
        assertThat(mtls.source().principal()).isEqualTo(GATEWAY);
        assertThat(mtls.destination().name()).isEqualTo("ratings-v1");
        assertThat(mtls.connectionSecurityPolicy()).as("Istio's source reporter").isEqualTo("unknown");
        assertThat(proxy.stats().renderPrometheus()).contains("source_principal=\"" + GATEWAY + "\"",
                "destination_principal=\"" + RATINGS + "\"");

        // The auto-mTLS cluster's plain endpoint: no certificate on either side.
        for (int i = 0; i < 4; i++) {
            get(client, port, "ratings.example.com", "/auto" + i, Map.of());
        }
        await("four records", Duration.ofSeconds(5), () -> records.stream().filter(r -> r.path().startsWith("/auto")).count() == 4);
        assertThat(records.stream().filter(r -> r.path().startsWith("/auto") && r.destination().principal() == null))
                .isNotEmpty().allMatch(r -> r.source().principal() == null);
        assertThat(records.stream().filter(r -> r.path().startsWith("/auto") && r.destination().principal() != null))
                .isNotEmpty().allMatch(r -> RATINGS.equals(r.destination().principal()));
    }

    @Test
    void withoutIdentity_theStrictDestinationRefusesThePlainTextProxy() throws Exception {
        proxy = startProxy(null);
        HttpClient client = ProxyHarness.client(vertx, false);
        var v1 = get(client, port, "v1.example.com", "/", Map.of());
        assertThat(v1.status()).isEqualTo(503);
    }
}
