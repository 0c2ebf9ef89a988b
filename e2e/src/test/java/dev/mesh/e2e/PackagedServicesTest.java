package dev.mesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each service's packaged jar starts as its own process against a Kubernetes API (the standard
 * KUBECONFIG way), takes its HTTP port from its environment variable (as the Helm chart sets it),
 * and reports ready on its health endpoint.
 */
class PackagedServicesTest {

    /** module, the environment variable of its HTTP port, the port's key in its start-up line. */
    private record Service(String module, String portVariable, String portKey) {
    }

    private static final List<Service> SERVICES = List.of(
            new Service("services/config-distributor", "MESH_DISTRIBUTOR_HTTP_PORT", "http-port"),
            new Service("services/citadel-ca", "MESH_CA_HTTP_PORT", "http-port"),
            new Service("services/injector-webhook", "MESH_INJECTOR_METRICS_PORT", "metrics-port"),
            new Service("services/gateway-proxy", "MESH_PROXY_AGENT_PORT", "agent-port"),
            new Service("services/telemetry", "MESH_TELEMETRY_HTTP_PORT", "http-port"));

    @Test
    void everyPackagedService_startsAndReportsReady() throws Exception {
        Path logs = ServiceProcess.root().resolve("e2e/target/service-logs");
        List<ServiceProcess> started = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try (MockApiServer api = new MockApiServer(logs)) {
            for (Service service : SERVICES) {
                int port = ServiceProcess.freePort();
                ports.add(port);
                String name = Path.of(service.module()).getFileName().toString();
                started.add(ServiceProcess.start(name, ServiceProcess.jarOf(service.module()),
                        Map.of(service.portVariable(), Integer.toString(port),
                                "KUBECONFIG", api.kubeconfig().toString(),
                                // every other port of every service: free ones, so nothing collides
                                "MESH_DISTRIBUTOR_XDS_PORT", Integer.toString(ServiceProcess.freePort()),
                                "MESH_CA_GRPC_PORT", Integer.toString(ServiceProcess.freePort()),
                                "MESH_INJECTOR_WEBHOOK_PORT", Integer.toString(ServiceProcess.freePort()),
                                "MESH_TELEMETRY_OTLP_PORT", Integer.toString(ServiceProcess.freePort())),
                        logs));
            }
            for (int i = 0; i < SERVICES.size(); i++) {
                ServiceProcess process = started.get(i);
                int port = ports.get(i);
                String health = process.awaitOk("http://127.0.0.1:" + port + "/q/health/ready", Duration.ofSeconds(90));
                assertThat(health).contains("\"status\": \"UP\"");
                String metrics = process.awaitOk("http://127.0.0.1:" + port + "/q/metrics", Duration.ofSeconds(10));
                assertThat(metrics).contains("# TYPE jvm_memory_used_bytes gauge");
                assertThat(process.log()).contains(SERVICES.get(i).portKey() + "=" + port);
            }
        } finally {
            for (ServiceProcess process : started) {
                process.close();
            }
        }
    }
}
