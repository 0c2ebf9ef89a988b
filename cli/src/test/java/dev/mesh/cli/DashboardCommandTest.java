package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cli.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardCommandTest {

    @TempDir
    Path dir;

    MockCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private void installTelemetry() {
        cluster.client().services().inNamespace("istio-system").resource(new ServiceBuilder().withNewMetadata()
                .withName("telemetry").withNamespace("istio-system").endMetadata().withNewSpec()
                .addToSelector("app", "telemetry")
                .addNewPort().withName("grpc-otlp").withPort(4317).endPort()
                .addNewPort().withName("http-web").withPort(20001).endPort().endSpec().build()).create();
        cluster.controlPlanePod("istio-system", "telemetry-5d8f7c6b9-q2w3e", "telemetry", "10.244.0.12", 20001, true);
    }

    @Test
    void graph_printsTheTelemetryPodsGraphPageForTheNamespace() {
        installTelemetry();

        CliRun.Split run = CliRun.split("dashboard", "graph", "-n", "demo", "--kubeconfig", cluster.kubeconfig());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("http://10.244.0.12:20001/graph?namespace=demo\n");
        assertThat(run.err()).contains("telemetry pod telemetry-5d8f7c6b9-q2w3e")
                .contains("http://telemetry.istio-system.svc:20001/graph?namespace=demo")
                .contains("kubectl -n istio-system port-forward svc/telemetry 20001");
    }

    @Test
    void address_overridesTheCluster() {
        CliRun.Split run = CliRun.split("dashboard", "graph", "-n", "demo", "--address", "localhost:20001");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("http://localhost:20001/graph?namespace=demo\n");
    }

    @Test
    void telemetryNotInstalled_saysHowToInstallIt() {
        CliRun.Split run = CliRun.split("dashboard", "graph", "--kubeconfig", cluster.kubeconfig());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("Error: no Service telemetry in namespace istio-system: telemetry is not"
                + " installed there (meshctl install --set telemetry.enabled=true; or -i for the mesh's namespace)\n");
    }
}
