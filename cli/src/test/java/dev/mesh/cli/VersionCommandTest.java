package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cli.testing.Golden;
import dev.mesh.cli.testing.MockCluster;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionCommandTest {

    @TempDir
    Path dir;

    @Test
    void remoteFalse_printsOnlyTheClientVersionFromTheBuild() {
        CliRun run = CliRun.of("version", "--remote=false");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).isEqualTo("client version: " + BuildInfo.version() + System.lineSeparator());
        assertThat(BuildInfo.version()).doesNotContain("${").isNotBlank();
    }

    @Test
    void unreachableCluster_saysWhyTheControlPlaneVersionIsMissing_andStillSucceeds() throws Exception {
        Path kubeconfig = dir.resolve("unreachable");
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: gone, cluster: {server: "http://127.0.0.1:1"}}]
                users: [{name: test, user: {token: test}}]
                contexts: [{name: gone, context: {cluster: gone, user: test}}]
                current-context: gone
                """);

        CliRun run = CliRun.of("version", "--kubeconfig", kubeconfig.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).startsWith("control plane version not available: cannot read the cluster: ")
                .endsWith("client version: " + BuildInfo.version() + System.lineSeparator());
    }

    @Test
    void remote_listsEachControlPlaneDeploymentAndTheProxiesVersions() throws Exception {
        try (MockCluster cluster = new MockCluster(dir)) {
            KubernetesClient client = cluster.client();
            deployment(client, "config-distributor", "registry.local:5000/mesh/config-distributor:0.1.0", 2, 2);
            deployment(client, "citadel-ca", "mesh/citadel-ca:0.1.0", 1, 0);
            deployment(client, "istio-ingressgateway", "mesh/gateway-proxy@sha256:abc", 1, 1);
            pod(client, "demo", "podinfo-v1", "mesh/gateway-proxy:0.1.0");
            pod(client, "demo", "podinfo-v2", "mesh/gateway-proxy:0.1.0");
            pod(client, "legacy", "old", "mesh/gateway-proxy:0.0.9");
            client.pods().inNamespace("plain").resource(new PodBuilder().withNewMetadata().withName("no-mesh")
                    .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer()
                    .endSpec().build()).create();

            CliRun run = CliRun.of("version", "--kubeconfig", cluster.kubeconfig());
            assertThat(run.exitCode()).isZero();
            Golden.assertMatches("version/remote.txt", run.output().replace(BuildInfo.version(), "$VERSION"));

            CliRun json = CliRun.of("version", "--kubeconfig", cluster.kubeconfig(), "-o", "json");
            Golden.assertMatches("version/remote.json", json.output().replace(BuildInfo.version(), "$VERSION"));
        }
    }

    private static void deployment(KubernetesClient client, String name, String image, int replicas, int ready) {
        Deployment d = client.apps().deployments().inNamespace("istio-system").resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace("istio-system").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewContainer().withName(name).withImage(image).endContainer().endSpec().endTemplate().endSpec()
                .build()).create();
        d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(ready).build());
        client.resource(d).updateStatus();
    }

    private static void pod(KubernetesClient client, String namespace, String name, String proxyImage) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withNewSpec()
                .addNewContainer().withName("podinfo").withImage("ghcr.io/stefanprodan/podinfo:6.7.1").endContainer()
                .addNewContainer().withName("istio-proxy").withImage(proxyImage).endContainer().endSpec().build())
                .create();
    }

    @Test
    void jsonOutput_isAClientVersionDocument() {
        CliRun run = CliRun.of("version", "--remote=false", "-o", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("\"clientVersion\"").contains("\"version\" : \"" + BuildInfo.version() + "\"");
    }

    @Test
    void yamlOutput_isAClientVersionDocument() {
        CliRun run = CliRun.of("version", "--remote=false", "-o", "yaml");

        assertThat(run.output()).contains("clientVersion:").contains("version: \"" + BuildInfo.version() + "\"");
    }

    @Test
    void unknownOutputFormat_isAUsageError() {
        CliRun run = CliRun.of("version", "-o", "xml");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INCORRECT_USAGE);
        assertThat(run.output()).contains("not a valid output format");
    }
}
