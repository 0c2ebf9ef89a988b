package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.ScenarioProxy;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graceful drain: requests in flight finish, nothing new gets in, and the bound holds. */
class DrainScenarioTest {

    static final String SLOW = clusterName("slow", "slow.demo.svc.cluster.local");

    @TempDir
    Path dir;
    ScenarioProxy scenario;
    Vertx vertx;
    GatewayProxy proxy;
    int port;

    @BeforeEach
    void start() throws Exception {
        scenario = ScenarioProxy.start(dir, "slow-v1", (cp, backend, port) -> {
            cp.set(XdsState.CDS, List.of(edsCluster(SLOW, Cluster.LbPolicy.ROUND_ROBIN)));
            cp.set(XdsState.EDS, List.of(endpoints(SLOW, backend.endpoint())));
            cp.set(XdsState.RDS, List.of(Resources.routes(port, host("slow", List.of("*"), route("all", prefix("/"), toCluster(SLOW))))));
        });
        vertx = scenario.vertx;
        proxy = scenario.proxy;
        port = scenario.port;
    }

    @AfterEach
    void stop() throws Exception {
        scenario.close();
    }

    private int health() throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.healthPort() + "/healthz/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void inFlightRequests_finishWhileNewConnectionsAreRefused() throws Exception {
        HttpClient h1 = ProxyHarness.client(vertx, false);
        HttpClient h2 = ProxyHarness.client(vertx, true);
        List<CompletableFuture<ProxyHarness.Response>> inFlight = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inFlight.add(ProxyHarness.send(h1, port, "slow.example.com", "/delay/700", Map.of()));
            inFlight.add(ProxyHarness.send(h2, port, "slow.example.com", "/delay/700", Map.of()));
        }
        await("20 requests in flight", Duration.ofSeconds(5), () -> proxy.inFlight() == 20);
        assertThat(health()).isEqualTo(200);

        long started = System.nanoTime();
        CompletableFuture<Void> drained = proxy.drain(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture();
        assertThat(health()).as("not ready while draining").isEqualTo(503);
        HttpClient late = ProxyHarness.client(vertx, false);
        CompletableFuture<ProxyHarness.Response> refused = ProxyHarness.send(late, port, "slow.example.com", "/", Map.of());

        drained.get(5, TimeUnit.SECONDS);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        for (var f : inFlight) {
            ProxyHarness.Response r = f.get(1, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(inFlight.stream().filter(f -> f.join().headers().contains("connection")).map(f -> f.join().headers()
                .get("connection"))).as("HTTP/1.1 answers during the drain close their connection").contains("close");
        assertThat(tookMillis).as("drain waited for the requests, not for its bound").isLessThan(3000);
        assertThat(refused).failsWithin(Duration.ofSeconds(5));
        assertThat(proxy.inFlight()).isZero();
    }

    @Test
    void drain_endsAtItsBoundWhenRequestsTakeLonger() throws Exception {
        HttpClient h1 = ProxyHarness.client(vertx, false);
        CompletableFuture<ProxyHarness.Response> slow = ProxyHarness.send(h1, port, "slow.example.com", "/delay/4000", Map.of());
        await("a request in flight", Duration.ofSeconds(5), () -> proxy.inFlight() == 1);
        long started = System.nanoTime();
        proxy.drain(Duration.ofMillis(300)).toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(tookMillis).isBetween(250L, 2000L);
        assertThat(slow).isNotDone();
    }
}
