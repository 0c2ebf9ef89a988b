package dev.mesh.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cluster.demo.Walkthrough;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * meshctl install, scale and uninstall on the local cluster, where the chart's pods really run (each service as
 * its own process in its own network namespace): issue 11's install test.
 */
class InstallOnLocalClusterTest {

    private static final List<String> DEMO_COMPONENTS = List.of("config-distributor", "citadel-ca",
            "injector-webhook", "telemetry", "istio-ingressgateway", "istio-egressgateway");

    @TempDir
    Path state;

    @Test
    void installDemo_scaleDistributorTo3_uninstallPurge_leavesNothing() throws Exception {
        ClusterTests.requireRoot("InstallOnLocalClusterTest");
        Path root = Path.of(System.getProperty("mesh.root"));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        try (Walkthrough.Cluster cluster = Walkthrough.startCluster(root, state)) {
            Walkthrough walkthrough = new Walkthrough(cluster, out);
            KubernetesClient client = cluster.client();

            int install = walkthrough.meshctl("install", "--set", "profile=demo", "-y", "--readiness-timeout", "240s");

            assertThat(install).as(text.toString()).isZero();
            for (String component : DEMO_COMPONENTS) {
                assertThat(text.toString()).contains("✔ " + component + " installed");
            }
            assertThat(text.toString()).contains("✔ Installation complete");
            for (String component : DEMO_COMPONENTS) {
                Deployment d = client.apps().deployments().inNamespace("istio-system").withName(component).get();
                assertThat(d.getStatus().getReadyReplicas()).as(component).isEqualTo(d.getSpec().getReplicas());
            }

            int scale = walkthrough.meshctl("install", "--set", "profile=demo", "--set", "configDistributor.replicas=3",
                    "-y", "--readiness-timeout", "240s");

            assertThat(scale).as(text.toString()).isZero();
            assertThat(walkthrough.readyPods("istio-system", "app", "config-distributor")).isEqualTo(3);

            int uninstall = walkthrough.meshctl("uninstall", "--purge", "-y", "--timeout", "120s");

            assertThat(uninstall).as(text.toString()).isZero();
            assertThat(client.namespaces().withName("istio-system").get()).isNull();
            assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
                    .extracting(c -> c.getSpec().getGroup()).doesNotContain("networking.istio.io", "security.istio.io");
            assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems()).isEmpty();
            Walkthrough.await(Duration.ofSeconds(60), "every pod's network namespace removed",
                    () -> ClusterTests.leftovers().stream().noneMatch(l -> l.startsWith("netns")));
        }
        assertThat(ClusterTests.leftovers()).as("after the cluster closed").isEmpty();
    }
}
