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
import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.OtlpReceiver;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.ScenarioProxy;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.vertx.core.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests through a running proxy become OpenTelemetry spans at a real OTLP/gRPC receiver, with the attributes
 * the telemetry service's contract asks for, in the caller's trace, and the upstream is told the proxy's span.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelemetryExportScenarioTest {

    static final String HOST = "podinfo.demo.svc.cluster.local";
    static final String V1 = clusterName("v1", HOST);
    static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CALLER_SPAN = "00f067aa0ba902b7";

    @TempDir
    static Path dir;
    OtlpReceiver receiver;
    ScenarioProxy scenario;
    Backend backend;
    HttpClient client;

    @BeforeAll
    void start() throws Exception {
        receiver = new OtlpReceiver();
        scenario = ScenarioProxy.start(dir, "podinfo-v1", (cp, backend, port) -> {
            cp.set(XdsState.CDS, List.of(edsCluster(V1, Cluster.LbPolicy.ROUND_ROBIN)));
            // Istio's endpoint telemetry metadata, as config-distributor sends it.
            cp.set(XdsState.EDS, List.of(endpoints(V1, "podinfo-v1;demo;podinfo;v1;@" + backend.port())));
            cp.set(XdsState.RDS, List.of(Resources.routes(port, host("podinfo", List.of("*"),
                    route("all", prefix("/"), toCluster(V1))))));
        });
        backend = scenario.backend;
        scenario.proxy.exportTelemetry(new SpanExporter.Settings(receiver.address(), 64, 1024, Duration.ofMillis(50),
                Duration.ofSeconds(5)));
        client = ProxyHarness.client(scenario.vertx, false);
    }

    @AfterAll
    void stop() throws Exception {
        scenario.close();
        receiver.close();
    }

    private OtlpReceiver.Received spanOf(String traceId) throws InterruptedException {
        await("the span of trace " + traceId, Duration.ofSeconds(10), () -> !receiver.withTraceId(traceId).isEmpty());
        List<OtlpReceiver.Received> spans = receiver.withTraceId(traceId);
        assertThat(spans).as("one span per request").hasSize(1);
        return spans.get(0);
    }

    private Backend.Seen seenAt(String path) {
        return backend.seen.stream().filter(s -> s.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void span_hasTheContractsAttributes_inTheCallersTrace() throws Exception {
        var response = get(client, scenario.port, "podinfo.example.com", "/hello?lang=en",
                Map.of("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01", "user-agent", "trace-test"));
        assertThat(response.status()).isEqualTo(200);

        OtlpReceiver.Received r = spanOf(CALLER_TRACE);
        String spanId = HexFormat.of().formatHex(r.span().getSpanId().toByteArray());
        assertThat(HexFormat.of().formatHex(r.span().getParentSpanId().toByteArray())).isEqualTo(CALLER_SPAN);
        assertThat(spanId).hasSize(16).isNotEqualTo(CALLER_SPAN).isNotEqualTo("0".repeat(16));
        assertThat(r.span().getName()).isEqualTo("GET /hello");
        assertThat(r.span().getEndTimeUnixNano()).isGreaterThan(r.span().getStartTimeUnixNano());
        assertThat(r.string("source_workload")).hasValue("istio-ingressgateway");
        assertThat(r.string("source_workload_namespace")).hasValue("istio-system");
        assertThat(r.string("source_app")).hasValue("istio-ingressgateway");
        assertThat(r.string("destination_workload")).hasValue("podinfo-v1");
        assertThat(r.string("destination_workload_namespace")).hasValue("demo");
        assertThat(r.string("destination_app")).hasValue("podinfo");
        assertThat(r.string("destination_version")).hasValue("v1");
        assertThat(r.string("destination_service")).hasValue(HOST);
        assertThat(r.integer("http.response.status_code")).hasValue(200L);
        assertThat(r.string("reporter")).hasValue("source");
        assertThat(r.string("request_protocol")).hasValue("http");
        assertThat(r.string("response_flags")).hasValue("-");
        assertThat(r.string("connection_security_policy")).hasValue("unknown");
        assertThat(r.integer("http.response.body.size")).hasValue((long) "podinfo-v1".length());
        assertThat(r.string("user_agent.original")).hasValue("trace-test");
        assertThat(r.resource().getAttributes(0).getValue().getStringValue())
                .isEqualTo("istio-ingressgateway.istio-system");

        // The upstream continues the same trace, with the proxy's span as its parent.
        assertThat(seenAt("/hello?lang=en").headers().get("traceparent"))
                .isEqualTo("00-" + CALLER_TRACE + "-" + spanId + "-01");
    }

    @Test
    void requestWithoutTrace_startsOne_andSendsItUpstream() throws Exception {
        assertThat(get(client, scenario.port, "podinfo.example.com", "/untraced", Map.of()).status()).isEqualTo(200);
        String sent = seenAt("/untraced").headers().get("traceparent");
        assertThat(sent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        String[] parts = sent.split("-");
        OtlpReceiver.Received r = spanOf(parts[1]);
        assertThat(HexFormat.of().formatHex(r.span().getSpanId().toByteArray())).isEqualTo(parts[2]);
        assertThat(r.span().getParentSpanId().isEmpty()).isTrue();
    }

    @Test
    void b3Headers_areContinued_andUpdatedForTheUpstream() throws Exception {
        assertThat(get(client, scenario.port, "podinfo.example.com", "/b3",
                Map.of("x-b3-traceid", "a3ce929d0e0e4736", "x-b3-spanid", "00f067aa0ba902b7", "x-b3-sampled", "1"))
                .status()).isEqualTo(200);
        OtlpReceiver.Received r = spanOf("0000000000000000a3ce929d0e0e4736");
        String spanId = HexFormat.of().formatHex(r.span().getSpanId().toByteArray());
        assertThat(HexFormat.of().formatHex(r.span().getParentSpanId().toByteArray())).isEqualTo("00f067aa0ba902b7");
        var headers = seenAt("/b3").headers();
        assertThat(headers.get("x-b3-spanid")).isEqualTo(spanId);
        assertThat(headers.get("x-b3-parentspanid")).isEqualTo("00f067aa0ba902b7");
        assertThat(headers.get("x-b3-traceid")).isEqualTo("0000000000000000a3ce929d0e0e4736");
        assertThat(headers.get("traceparent")).isEqualTo("00-0000000000000000a3ce929d0e0e4736-" + spanId + "-01");
    }

    @Test
    void prometheusLabels_sayWhatTheSpanSays() throws Exception {
        assertThat(get(client, scenario.port, "podinfo.example.com", "/counted", Map.of()).status()).isEqualTo(200);
        await("the export counted", Duration.ofSeconds(10), () -> prometheus().contains(
                "mesh_proxy_telemetry_spans_exported_total ") && !prometheus().contains(
                "mesh_proxy_telemetry_spans_exported_total 0\n"));
        String text = prometheus();
        String line = text.lines().filter(l -> l.startsWith("istio_requests_total{")).findFirst().orElseThrow();
        assertThat(line).contains("reporter=\"source\"", "source_workload=\"istio-ingressgateway\"",
                "destination_workload=\"podinfo-v1\"", "destination_workload_namespace=\"demo\"",
                "destination_app=\"podinfo\"", "destination_version=\"v1\"", "destination_service=\"" + HOST + "\"",
                "source_principal=\"unknown\"", "destination_principal=\"unknown\"",
                "connection_security_policy=\"unknown\"");
        assertThat(text).contains("mesh_proxy_telemetry_spans_dropped_total{reason=\"buffer_full\"} 0",
                "mesh_proxy_telemetry_spans_dropped_total{reason=\"export_failed\"} 0");
    }

    private String prometheus() {
        try {
            return get(client, scenario.proxy.prometheusPort(), "localhost", "/stats/prometheus", Map.of()).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
