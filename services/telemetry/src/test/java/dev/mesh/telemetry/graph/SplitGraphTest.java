package dev.mesh.telemetry.graph;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mesh.telemetry.OtlpClient;
import dev.mesh.telemetry.Spans;
import dev.mesh.telemetry.otlp.OtlpReceiver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The walkthrough's canary: 1,000 requests from the ingress gateway to podinfo, routed 90/10 to v1/v2, sent
 * through the OTLP receiver with a real gRPC client; the graph API shows the split, the rates over the window
 * and the failures.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SplitGraphTest {

    static final String GATEWAY_NS = "split-gateway";
    static final String NS = "split-demo";
    static final int REQUESTS = 1000;

    @Inject
    OtlpReceiver receiver;

    int toV1;
    int toV2;
    int failedV2;

    @BeforeAll
    void sendTheCanaryTraffic() throws Exception {
        Random random = new Random(42);
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            boolean v1 = random.nextDouble() < 0.9;
            // v2 is the faulty canary: every fourth of its requests fails with 503
            boolean fail = !v1 && random.nextInt(4) == 0;
            if (v1) {
                toV1++;
            } else {
                toV2++;
                failedV2 += fail ? 1 : 0;
            }
            spans.add(Spans.gatewayToPodinfo(GATEWAY_NS, NS, v1 ? "v1" : "v2", fail ? 503 : 200, v1 ? 8 : 30)
                    .build());
        }
        try (OtlpClient client = new OtlpClient(receiver.port())) {
            for (int from = 0; from < REQUESTS; from += 100) {
                ExportTraceServiceResponse response = client.export(Spans.request(spans.subList(from, from + 100)));
                assertThat(response.hasPartialSuccess()).isFalse();
            }
        }
    }

    private static JsonPath graph(String query) {
        return given().when().get("/api/namespaces/graph?" + query).then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, Object> edge(JsonPath graph, String source, String target) {
        List<Map<String, Object>> edges = graph.getList("elements.edges.data");
        return edges.stream().filter(e -> e.get("source").equals(source) && e.get("target").equals(target))
                .findFirst().orElseThrow(() -> new AssertionError("no edge " + source + " -> " + target + " in "
                        + edges));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> rates(Map<String, Object> edge) {
        return (Map<String, String>) ((Map<String, Object>) edge.get("traffic")).get("rates");
    }

    @Test
    void serviceEdges_showTheNinetyTenSplit_andTheRatesOverTheWindow() {
        JsonPath graph = graph("namespaces=" + NS + "&graphType=versionedApp&duration=60s");
        assertThat(graph.getString("graphType")).isEqualTo("versionedApp");
        assertThat(graph.getInt("duration")).isEqualTo(60);

        String service = "service:" + NS + ":podinfo";
        Map<String, String> v1 = rates(edge(graph, service, "app:" + NS + ":podinfo:v1"));
        Map<String, String> v2 = rates(edge(graph, service, "app:" + NS + ":podinfo:v2"));
        assertThat(Double.parseDouble(v1.get("httpPercentReq"))).isCloseTo(90.0, within(3.0));
        assertThat(Double.parseDouble(v2.get("httpPercentReq"))).isCloseTo(10.0, within(3.0));
        assertThat(v1.get("httpPercentReq")).isEqualTo(oneDecimal(100.0 * toV1 / REQUESTS));
        assertThat(v1.get("http")).isEqualTo(twoDecimals(toV1 / 60.0));
        assertThat(v2.get("http")).isEqualTo(twoDecimals(toV2 / 60.0));

        Map<String, String> gateway = rates(edge(graph, "app:" + GATEWAY_NS + ":istio-ingressgateway:unknown", service));
        assertThat(gateway.get("http")).isEqualTo(twoDecimals(REQUESTS / 60.0));
        assertThat(gateway.get("httpPercentReq")).isEqualTo("100.0");
    }

    @Test
    void failedRequests_showIn5xxAndErrorPercent_onTheFailingEdgeOnly() {
        JsonPath graph = graph("namespaces=" + NS + "&graphType=versionedApp&duration=60s");
        String service = "service:" + NS + ":podinfo";
        assertThat(failedV2).isPositive();
        Map<String, String> v2 = rates(edge(graph, service, "app:" + NS + ":podinfo:v2"));
        assertThat(v2.get("http5xx")).isEqualTo(twoDecimals(failedV2 / 60.0));
        assertThat(v2.get("httpPercentErr")).isEqualTo(oneDecimal(100.0 * failedV2 / toV2));
        Map<String, String> v1 = rates(edge(graph, service, "app:" + NS + ":podinfo:v1"));
        assertThat(v1).doesNotContainKeys("http5xx", "httpPercentErr");

        Map<String, Object> v2Edge = edge(graph, service, "app:" + NS + ":podinfo:v2");
        assertThat(v2Edge.get("isMTLS")).isEqualTo("100");
        assertThat(Double.parseDouble((String) v2Edge.get("responseTime"))).isBetween(30 * 0.88, 30 * 1.13);
        assertThat(v2Edge.get("destPrincipal")).isEqualTo("spiffe://cluster.local/ns/" + NS + "/sa/podinfo");
    }

    @Test
    void withoutServiceNodes_theGatewayEdgesCarryTheSplit() {
        JsonPath graph = graph("namespaces=" + NS + "&graphType=workload&duration=60s&injectServiceNodes=false");
        String gateway = "workload:" + GATEWAY_NS + ":istio-ingressgateway";
        Map<String, String> v1 = rates(edge(graph, gateway, "workload:" + NS + ":podinfo-v1"));
        Map<String, String> v2 = rates(edge(graph, gateway, "workload:" + NS + ":podinfo-v2"));
        assertThat(Double.parseDouble(v1.get("httpPercentReq"))).isCloseTo(90.0, within(3.0));
        assertThat(Double.parseDouble(v2.get("httpPercentReq"))).isCloseTo(10.0, within(3.0));
        assertThat(graph.getList("elements.edges")).hasSize(2);

        List<Map<String, Object>> nodes = graph.getList("elements.nodes.data");
        assertThat(nodes).extracting(n -> n.get("id")).containsExactlyInAnyOrder(gateway,
                "workload:" + NS + ":podinfo-v1", "workload:" + NS + ":podinfo-v2");
        Map<String, Object> v2Node = nodes.stream().filter(n -> n.get("id").equals("workload:" + NS + ":podinfo-v2"))
                .findFirst().orElseThrow();
        assertThat(v2Node).containsEntry("nodeType", "workload").containsEntry("namespace", NS)
                .containsEntry("app", "podinfo").containsEntry("version", "v2").containsEntry("workload", "podinfo-v2");
        assertThat(nodes.stream().filter(n -> n.get("id").equals(gateway)).findFirst().orElseThrow())
                .containsEntry("isRoot", true).containsEntry("isOutside", true);
    }

    @Test
    void appAndServiceGraphs_collapseTheVersions() {
        JsonPath app = graph("namespaces=" + NS + "&graphType=app&duration=60s&injectServiceNodes=false");
        Map<String, String> rates = rates(edge(app, "app:" + GATEWAY_NS + ":istio-ingressgateway",
                "app:" + NS + ":podinfo"));
        assertThat(rates.get("httpPercentReq")).isEqualTo("100.0");
        assertThat(rates.get("http")).isEqualTo(twoDecimals(REQUESTS / 60.0));

        JsonPath service = graph("namespaces=" + NS + "&graphType=service&duration=60s");
        assertThat(service.getList("elements.nodes.data.nodeType")).containsOnly("service");
        assertThat(service.getList("elements.edges")).hasSize(1);
    }

    @Test
    void otherNamespaces_doNotSeeThisTraffic() {
        assertThat(graph("namespaces=elsewhere&duration=60s").getList("elements.edges")).isEmpty();
    }

    static String twoDecimals(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static String oneDecimal(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
