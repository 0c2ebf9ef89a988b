package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.ProxyHarness.get;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.telemetry.SpanExporter;
import dev.mesh.proxy.testing.OtlpReceiver;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.ScenarioProxy;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.vertx.core.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry never holds a request up: a receiver that stops answering fills the bounded buffer and the rest is
 * dropped and counted; a receiver that is not there at all costs failed exports (counted), nothing else.
 */
class TelemetryBackpressureScenarioTest {

    static final String CLUSTER = clusterName("", "podinfo.demo.svc.cluster.local");

    @TempDir
    Path dir;

    private static ScenarioProxy proxy(Path dir) throws Exception {
        return ScenarioProxy.start(dir, "podinfo", (cp, backend, port) -> {
            cp.set(XdsState.CDS, List.of(edsCluster(CLUSTER, Cluster.LbPolicy.ROUND_ROBIN)));
            cp.set(XdsState.EDS, List.of(endpoints(CLUSTER, "podinfo;demo;podinfo;;@" + backend.port())));
            cp.set(XdsState.RDS, List.of(Resources.routes(port, host("podinfo", List.of("*"),
                    route("all", prefix("/"), toCluster(CLUSTER))))));
        });
    }

    /** Sends {@code n} requests one after the other; returns the slowest one's time. */
    private static Duration sendAll(ScenarioProxy scenario, HttpClient client, int n) throws Exception {
        long slowest = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            assertThat(get(client, scenario.port, "podinfo.example.com", "/r" + i, Map.of()).status()).isEqualTo(200);
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        return Duration.ofNanos(slowest);
    }

    @Test
    void stuckReceiver_overflowIsDroppedAndCounted_requestsNotSlowed() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(); ScenarioProxy scenario = proxy(dir)) {
            receiver.hold();
            SpanExporter exporter = scenario.proxy.exportTelemetry(new SpanExporter.Settings(receiver.address(), 1, 4,
                    Duration.ofMillis(10), Duration.ofSeconds(20)));
            HttpClient client = ProxyHarness.client(scenario.vertx, false);

            Duration slowest = sendAll(scenario, client, 60);

            // One batch of one is stuck at the receiver, four wait in the buffer, the rest found it full.
            assertThat(slowest).as("slowest request while the receiver hangs").isLessThan(Duration.ofSeconds(1));
            await("drops counted", Duration.ofSeconds(5), () -> exporter.droppedBufferFull() >= 55);
            assertThat(exporter.droppedBufferFull()).isLessThanOrEqualTo(59);
            String text = get(client, scenario.proxy.prometheusPort(), "localhost", "/stats/prometheus", Map.of()).body();
            assertThat(text).contains("mesh_proxy_telemetry_spans_dropped_total{reason=\"buffer_full\"} "
                    + exporter.droppedBufferFull());

            receiver.release();
            long kept = 60 - exporter.droppedBufferFull();
            await("the buffered spans delivered", Duration.ofSeconds(10), () -> exporter.exported() == kept);
            assertThat(receiver.spans).hasSize((int) kept);
        }
    }

    @Test
    void receiverDown_requestsServed_failedExportsCounted() throws Exception {
        try (ScenarioProxy scenario = proxy(dir)) {
            SpanExporter exporter = scenario.proxy.exportTelemetry(new SpanExporter.Settings(
                    "127.0.0.1:" + ProxyHarness.freePort(), 8, 64, Duration.ofMillis(10), Duration.ofSeconds(1)));
            HttpClient client = ProxyHarness.client(scenario.vertx, false);

            Duration slowest = sendAll(scenario, client, 30);

            assertThat(slowest).as("slowest request with no receiver").isLessThan(Duration.ofSeconds(1));
            await("failed exports counted", Duration.ofSeconds(10), () -> exporter.droppedExportFailed() > 0);
            assertThat(exporter.exported()).isZero();
            assertThat(exporter.droppedExportFailed() + exporter.droppedBufferFull()).isLessThanOrEqualTo(30);
        }
    }
}
