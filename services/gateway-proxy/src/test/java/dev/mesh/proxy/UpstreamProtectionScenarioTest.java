package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.ProxyHarness.get;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.millis;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Outlier detection and connection-pool limits from the cluster config, against real loopback backends. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamProtectionScenarioTest {

    static final String SERVICE = "reviews.demo.svc.cluster.local";
    static final String CLUSTER = clusterName(null, SERVICE);
    static final String HOST = "reviews.example.com";
    static final long EJECTION_MS = 1500;
    static final String LIMITED = clusterName("limited", SERVICE);
    static final String LIMITED_HOST = "limited.example.com";

    @TempDir
    static Path dir;
    Vertx vertx;
    Backend healthy;
    Backend failing;
    Backend slow;
    FakeControlPlane cp;
    GatewayProxy proxy;
    HttpClient client;
    int port;

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        healthy = Backend.start(vertx, "reviews-healthy");
        failing = Backend.start(vertx, "reviews-failing");
        slow = Backend.start(vertx, "reviews-slow");
        port = ProxyHarness.freePort();
        cp = new FakeControlPlane().start();
        cp.set(XdsState.CDS, List.of(edsCluster(CLUSTER, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
                .setOutlierDetection(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(3))
                        .setConsecutiveGatewayFailure(UInt32Value.of(3)).setInterval(millis(500))
                        .setBaseEjectionTime(millis(EJECTION_MS)).setMaxEjectionPercent(UInt32Value.of(50)))
                .build(), edsCluster(LIMITED, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
                .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                        .setMaxConnections(UInt32Value.of(1)).setMaxPendingRequests(UInt32Value.of(1))
                        .setMaxRequests(UInt32Value.of(100))))
                .build()));
        cp.set(XdsState.EDS, List.of(endpoints(CLUSTER, healthy.endpoint(), failing.endpoint()),
                endpoints(LIMITED, slow.endpoint())));
        cp.set(XdsState.LDS, List.of(Resources.httpListener(port)));
        cp.set(XdsState.RDS, List.of(Resources.routes(port, host("limited", List.of(LIMITED_HOST),
                route("limited", prefix("/"), toCluster(LIMITED))), host("gw", List.of("*"), route("all", prefix("/"), toCluster(CLUSTER))))));
        proxy = ProxyHarness.startProxy(vertx, cp.address(), dir.resolve("saved.pb"), Duration.ofSeconds(5));
        await("first config", Duration.ofSeconds(10), proxy::ready);
        client = ProxyHarness.client(vertx, false);
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        cp.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void failingEndpoint_isEjectedAfterConsecutive5xx_andComesBackAfterTheEjectionTime() throws Exception {
        failing.failNext.set(1_000_000);
        int failures = 0;
        for (int i = 0; i < 10; i++) {
            failures += get(client, port, HOST, "/", Map.of()).status() == 503 ? 1 : 0;
        }
        assertThat(failures).as("round robin sends every other request to the failing endpoint until it is ejected")
                .isEqualTo(3);
        long ejectedAt = System.nanoTime();
        int before = failing.hits.get();
        for (int i = 0; i < 40; i++) {
            var r = get(client, port, HOST, "/", Map.of());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().get("x-backend")).isEqualTo("reviews-healthy");
        }
        assertThat(failing.hits.get()).isEqualTo(before);
        assertThat(System.nanoTime() - ejectedAt).as("the check ran inside the ejection time")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(EJECTION_MS));

        failing.failNext.set(0);
        Thread.sleep(EJECTION_MS);
        int healthyBefore = healthy.hits.get();
        int failingBefore = failing.hits.get();
        for (int i = 0; i < 10; i++) {
            assertThat(get(client, port, HOST, "/", Map.of()).status()).isEqualTo(200);
        }
        assertThat(failing.hits.get() - failingBefore).isEqualTo(5);
        assertThat(healthy.hits.get() - healthyBefore).isEqualTo(5);
    }

    @Test
    void overConnectionLimits_answers503WithOverflowFlag_immediately() throws Exception {
        // max_connections 1 + max_pending_requests 1: two requests may be in flight to the slow backend.
        var first = ProxyHarness.send(client, port, LIMITED_HOST, "/delay/1500", Map.of());
        var second = ProxyHarness.send(client, port, LIMITED_HOST, "/delay/1500", Map.of());
        await("both slow requests at the backend", Duration.ofSeconds(5), () -> slow.hits.get() >= 2);
        long start = System.nanoTime();
        var overflow = get(client, port, LIMITED_HOST, "/", Map.of());
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(overflow.status()).isEqualTo(503);
        assertThat(overflow.body()).isEqualTo("upstream connect error or disconnect/reset before headers. reset reason: overflow");
        assertThat(tookMs).as("answered without waiting for the slow backend").isLessThan(1000);
        assertThat(slow.hits.get()).isEqualTo(2);
        await("stats with UO", Duration.ofSeconds(2),
                () -> proxy.stats().renderPrometheus().contains("response_code=\"503\",grpc_response_status=\"\",response_flags=\"UO\""));
        assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(second.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(get(client, port, LIMITED_HOST, "/", Map.of()).status()).as("capacity is back once they end").isEqualTo(200);
    }
}
