package dev.mesh.proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.testing.FakeCaServer;
import dev.mesh.proxy.testing.TestCa;
import dev.mesh.proxy.tls.ClientTlsSettings;
import dev.mesh.proxy.tls.PeerIdentity;
import dev.mesh.proxy.tls.SecretResolver;
import dev.mesh.proxy.tls.ServerTlsSettings;
import dev.mesh.proxy.xds.NodeIdentity;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agents as the proxy starts them, on the real clock, against the in-test CA: with 2 s certificates both
 * sides rotate at least three times while mutual TLS requests run without a pause, and none fails.
 */
class IdentityBootstrapTest {

    @TempDir
    Path dir;

    IdentityBootstrap.Settings settings(FakeCaServer server, TestCa ca, NodeIdentity node) throws Exception {
        return new IdentityBootstrap.Settings(new WorkloadIdentity("cluster.local", node.namespace(), node.serviceAccount()),
                server.address(), Files.writeString(dir.resolve("root-cert.pem"), ca.rootPem()),
                Files.writeString(dir.resolve("token"), "tok"), node.clusterId(),
                new RotationPolicy(Duration.ofSeconds(2), 0.5, 0), Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    static NodeIdentity node(String account) {
        return new NodeIdentity("sidecar", account + "-v1-abc12-xyz34", "shop", "10.244.4.2", Map.of(), account,
                account + "-v1", "Kubernetes");
    }

    @Test
    void rotationUnderLoad_threeRenewalsEachSide_noFailedRequest() throws Exception {
        TestCa ca = new TestCa("mesh", Clock.systemUTC());
        Vertx vertx = Vertx.vertx();
        try (FakeCaServer server = new FakeCaServer(ca, "tok").start();
                IdentityAgent ratings = IdentityBootstrap.start(settings(server, ca, node("ratings")), Clock.systemUTC(),
                        Duration.ofSeconds(10));
                IdentityAgent reviews = IdentityBootstrap.start(settings(server, ca, node("reviews")), Clock.systemUTC(),
                        Duration.ofSeconds(10))) {
            assertThat(ratings.store().current().orElseThrow().spiffeId())
                    .isEqualTo("spiffe://cluster.local/ns/shop/sa/ratings");

            ServerTlsSettings inbound = ServerTlsSettings.from(meshInbound(), new SecretResolver(ratings.store()),
                    Clock.systemUTC(), "inbound");
            int port = vertx.createHttpServer(inbound.applyTo(new HttpServerOptions()))
                    .requestHandler(req -> req.response().end(PeerIdentity.of(req.connection().sslSession())
                            .map(PeerIdentity::uri).orElse("-")))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                    .actualPort();
            ClientTlsSettings outbound = ClientTlsSettings.from(meshOutbound(), new SecretResolver(reviews.store()),
                    Clock.systemUTC(), "outbound");
            // One client reuses its connection; the other is new for every request, so it makes a full handshake
            // (a client's own session cache would resume the first session, certificate and all).
            HttpClient keepAlive = vertx.createHttpClient(outbound.applyTo(new HttpClientOptions()));

            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Set<BigInteger> serverSerials = ConcurrentHashMap.newKeySet();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((ratings.rotator().renewals() < 4 || reviews.rotator().renewals() < 4 || serverSerials.size() < 3)
                    && System.nanoTime() < deadline) {
                HttpClient fresh = vertx.createHttpClient(outbound.applyTo(new HttpClientOptions().setKeepAlive(false)));
                for (HttpClient client : new HttpClient[] {keepAlive, fresh}) {
                    try {
                        String body = client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/"))
                                .compose(r -> r.send().compose(resp -> {
                                    try {
                                        serverSerials.add(((X509Certificate) r.connection().sslSession()
                                                .getPeerCertificates()[0]).getSerialNumber());
                                    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                                        return io.vertx.core.Future.failedFuture(e);
                                    }
                                    return resp.body();
                                })).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toString();
                        if (body.equals("spiffe://cluster.local/ns/shop/sa/reviews")) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
                fresh.close();
            }
            assertThat(ratings.rotator().renewals()).as("server certificates (first + renewals)").isGreaterThanOrEqualTo(4);
            assertThat(reviews.rotator().renewals()).as("client certificates").isGreaterThanOrEqualTo(4);
            assertThat(failed.get()).isZero();
            assertThat(ok.get()).isGreaterThanOrEqualTo(10);
            assertThat(serverSerials).as("new handshakes saw the rotated server certificates").hasSizeGreaterThanOrEqualTo(3);
            assertThat(server.calls()).allSatisfy(c -> assertThat(c.clusterId()).isEqualTo("Kubernetes"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The distributor's STRICT inbound context (see MeshTls.inboundMtls). */
    static DownstreamTlsContext meshInbound() {
        return dev.mesh.proxy.tls.TestContexts.inbound();
    }

    static UpstreamTlsContext meshOutbound() {
        return dev.mesh.proxy.tls.TestContexts.outbound();
    }
}
