package dev.mesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Requests sent through a real gateway-proxy appear in the graph: the packaged config-distributor, gateway-proxy
 * (router mode, configured by it over ADS from a Gateway and a VirtualService) and telemetry run as processes; the
 * requests through the gateway to a local upstream come out of telemetry's graph API as the edge from the ingress
 * gateway to the upstream's workload, with their exact count.
 */
class TelemetryGraphTest {

    private static final int REQUESTS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void requestsThroughTheGateway_appearInTheGraph() throws Exception {
        Path logs = ServiceProcess.root().resolve("e2e/target/service-logs/telemetry-graph");
        Files.createDirectories(logs);
        // A config saved by an earlier run would bind that run's gateway port first.
        Files.deleteIfExists(logs.resolve("last-acked-config.pb"));
        Queue<String> traceparents = new ConcurrentLinkedQueue<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            traceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
            byte[] body = "podinfo-v1".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        int gatewayPort = ServiceProcess.freePort();
        int xdsPort = ServiceProcess.freePort();
        int otlpPort = ServiceProcess.freePort();
        int telemetryHttp = ServiceProcess.freePort();
        int proxyHealth = ServiceProcess.freePort();
        List<ServiceProcess> started = new ArrayList<>();
        try (MockApiServer api = new MockApiServer(logs)) {
            apply(api.client(), mesh(upstream.getAddress().getPort(), gatewayPort));
            String kubeconfig = api.kubeconfig().toString();
            started.add(ServiceProcess.start("telemetry", ServiceProcess.jarOf("services/telemetry"), Map.of(
                    "MESH_TELEMETRY_OTLP_PORT", Integer.toString(otlpPort),
                    "MESH_TELEMETRY_HTTP_PORT", Integer.toString(telemetryHttp)), logs));
            started.add(ServiceProcess.start("config-distributor", ServiceProcess.jarOf("services/config-distributor"),
                    Map.of("KUBECONFIG", kubeconfig,
                            "MESH_DISTRIBUTOR_XDS_PORT", Integer.toString(xdsPort),
                            "MESH_DISTRIBUTOR_XDS_TLS_PORT", Integer.toString(ServiceProcess.freePort()),
                            "MESH_DISTRIBUTOR_HTTP_PORT", Integer.toString(ServiceProcess.freePort())), logs));
            started.add(ServiceProcess.start("gateway-proxy", ServiceProcess.jarOf("services/gateway-proxy"), Map.ofEntries(
                    Map.entry("MESH_PROXY_MODE", "router"),
                    Map.entry("MESH_PROXY_DISCOVERY_ADDRESS", "127.0.0.1:" + xdsPort),
                    Map.entry("MESH_PROXY_POD_NAME", "istio-ingressgateway-584467857d-h8gtc"),
                    Map.entry("MESH_PROXY_POD_NAMESPACE", "istio-system"),
                    Map.entry("MESH_PROXY_WORKLOAD_NAME", "istio-ingressgateway"),
                    Map.entry("MESH_PROXY_LABELS", "app=istio-ingressgateway,istio=ingressgateway"),
                    Map.entry("MESH_PROXY_SAVED_CONFIG_PATH", logs.resolve("last-acked-config.pb").toString()),
                    Map.entry("MESH_PROXY_AGENT_PORT", Integer.toString(ServiceProcess.freePort())),
                    Map.entry("MESH_PROXY_ADMIN_PORT", Integer.toString(ServiceProcess.freePort())),
                    Map.entry("MESH_PROXY_HEALTH_PORT", Integer.toString(proxyHealth)),
                    Map.entry("MESH_PROXY_PROMETHEUS_PORT", Integer.toString(ServiceProcess.freePort())),
                    Map.entry("MESH_PROXY_TELEMETRY_ADDRESS", "127.0.0.1:" + otlpPort),
                    Map.entry("MESH_PROXY_TELEMETRY_FLUSH_INTERVAL", "200ms")), logs));
            ServiceProcess telemetry = started.get(0);
            ServiceProcess proxy = started.get(2);
            telemetry.awaitOk("http://127.0.0.1:" + telemetryHttp + "/q/health/ready", Duration.ofSeconds(90));
            proxy.awaitOk("http://127.0.0.1:" + proxyHealth + "/healthz/ready", Duration.ofSeconds(90));

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/hello"))
                    .timeout(Duration.ofSeconds(5)).build();
            // The listener is bound once the config arrived; until then connections are refused.
            int ok = 0;
            Instant deadline = Instant.now().plusSeconds(30);
            while (ok == 0) {
                assertThat(Instant.now()).as("the gateway routes to the upstream in time:\n" + proxy.log())
                        .isBefore(deadline);
                try {
                    if (http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        ok++;
                        continue;
                    }
                } catch (java.io.IOException e) {
                    // not bound yet
                }
                Thread.sleep(100);
            }
            while (ok < REQUESTS) {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("podinfo-v1");
                ok++;
            }
            assertThat(traceparents).hasSize(REQUESTS).allMatch(t -> t.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"));

            // 30 requests in a 60 s window: 0.50 per second on the gateway → podinfo-v1 edge.
            String graphUrl = "http://127.0.0.1:" + telemetryHttp + "/api/namespaces/graph?namespaces=demo,istio-system"
                    + "&graphType=workload&duration=60s&injectServiceNodes=false";
            JsonNode edge = null;
            Instant graphDeadline = Instant.now().plusSeconds(20);
            while (edge == null || !edge.at("/traffic/rates/http").asText().equals("0.50")) {
                assertThat(Instant.now()).as("the edge in the graph in time, last: " + edge).isBefore(graphDeadline);
                Thread.sleep(200);
                edge = edge(JSON.readTree(telemetry.awaitOk(graphUrl, Duration.ofSeconds(10))), "istio-ingressgateway",
                        "podinfo-v1");
            }
            assertThat(edge.at("/traffic/protocol").asText()).isEqualTo("http");
            assertThat(edge.at("/traffic/responses/200").isMissingNode()).isFalse();
            // The exact count, from telemetry's own request metric.
            String metrics = telemetry.awaitOk("http://127.0.0.1:" + telemetryHttp + "/q/metrics", Duration.ofSeconds(10));
            assertThat(metrics.lines().filter(l -> l.startsWith("istio_requests_total{")
                    && l.contains("source_workload=\"istio-ingressgateway\"")
                    && l.contains("destination_workload=\"podinfo-v1\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
                    .isEqualTo(REQUESTS);
        } finally {
            for (ServiceProcess process : started) {
                process.close();
            }
            upstream.stop(0);
        }
    }

    /** The edge from the node of workload {@code from} to the node of workload {@code to}, or null. */
    private static JsonNode edge(JsonNode graph, String from, String to) {
        String source = null;
        String target = null;
        for (JsonNode node : graph.at("/elements/nodes")) {
            String workload = node.at("/data/workload").asText();
            if (workload.equals(from)) {
                source = node.at("/data/id").asText();
            } else if (workload.equals(to)) {
                target = node.at("/data/id").asText();
            }
        }
        for (JsonNode edge : graph.at("/elements/edges")) {
            if (edge.at("/data/source").asText().equals(source) && edge.at("/data/target").asText().equals(target)) {
                return edge.get("data");
            }
        }
        return null;
    }

    /**
     * The mesh the gateway serves: podinfo in demo (one pod of Deployment podinfo-v1, whose endpoint is the local
     * upstream), the ingress Gateway on {@code gatewayPort} and a VirtualService sending everything to podinfo.
     */
    private static String mesh(int upstreamPort, int gatewayPort) {
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: demo, labels: {istio-injection: enabled}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: podinfo, namespace: demo}
                spec:
                  selector: {app: podinfo}
                  ports: [{name: http, port: 80, targetPort: %1$d}]
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: podinfo-v1-d57b7c9fd-7swjb
                  namespace: demo
                  labels: {app: podinfo, version: v1, pod-template-hash: d57b7c9fd}
                spec:
                  containers: [{name: podinfo, image: ghcr.io/stefanprodan/podinfo:6.7.1, ports: [{containerPort: %1$d}]}]
                status: {podIP: 127.0.0.1, phase: Running}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: podinfo-abc12
                  namespace: demo
                  labels: {kubernetes.io/service-name: podinfo}
                addressType: IPv4
                ports: [{name: http, port: %1$d, protocol: TCP}]
                endpoints:
                - addresses: [127.0.0.1]
                  conditions: {ready: true}
                  targetRef: {kind: Pod, name: podinfo-v1-d57b7c9fd-7swjb, namespace: demo}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: podinfo-gateway, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: %2$d, name: http, protocol: HTTP}
                    hosts: ["*"]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: ["*"]
                  gateways: [istio-system/podinfo-gateway]
                  http:
                  - route:
                    - destination: {host: podinfo.demo.svc.cluster.local, port: {number: 80}}
                """.formatted(upstreamPort, gatewayPort);
    }

    private static void apply(KubernetesClient client, String yaml) {
        for (HasMetadata object : client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
            client.resource(object).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        }
    }
}
