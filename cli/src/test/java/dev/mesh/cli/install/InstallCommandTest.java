package dev.mesh.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cli.CliRun;
import dev.mesh.cli.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * install and uninstall against fabric8's API server mock (CRUD mode). Nothing runs pods here, so a small stand-in
 * for the Deployment controller marks the Deployments it is allowed to as rolled out; the real rollout is tested on
 * the local cluster.
 */
class InstallCommandTest {

    private static final String NS = "istio-system";

    @TempDir
    Path dir;

    private MockCluster cluster;
    private KubernetesClient client;
    private Path kubeconfig;
    private ScheduledExecutorService rollout;
    /** Deployments the stand-in controller never rolls out. */
    private final Set<String> stuck = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void startApiServer() throws Exception {
        cluster = new MockCluster(dir);
        client = cluster.client();
        kubeconfig = Path.of(cluster.kubeconfig());
        rollout = Executors.newSingleThreadScheduledExecutor();
        rollout.scheduleWithFixedDelay(this::rollOut, 50, 50, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() {
        rollout.shutdownNow();
        cluster.close();
    }

    private void rollOut() {
        try {
            for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
                int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                if (stuck.contains(d.getMetadata().getName()) || d.getStatus() != null
                        && d.getStatus().getReadyReplicas() != null && d.getStatus().getReadyReplicas() == replicas) {
                    continue;
                }
                d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
                        .withUpdatedReplicas(replicas).withAvailableReplicas(replicas)
                        .withObservedGeneration(d.getMetadata().getGeneration()).build());
                client.resource(d).updateStatus();
            }
        } catch (RuntimeException e) {
            // The next round retries; a conflict with the installer's own update is expected now and then.
        }
    }

    private CliRun meshctl(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = kubeconfig.toString();
        return CliRun.of(all);
    }

    @Test
    void installDemo_appliesEverythingAndReportsEachComponent() {
        CliRun run = meshctl("install", "--set", "profile=demo", "-y", "--readiness-timeout", "30s");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("✔ CRDs installed", "✔ config-distributor installed",
                "✔ citadel-ca installed", "✔ injector-webhook installed", "✔ telemetry installed",
                "✔ istio-ingressgateway installed", "✔ istio-egressgateway installed");
        assertThat(run.output().strip()).endsWith("✔ Installation complete");
        assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).hasSize(6);
        assertThat(client.namespaces().withName(NS).get().getMetadata().getLabels())
                .containsEntry("kubernetes.io/metadata.name", NS);
        assertThat(client.services().inNamespace(NS).withName("istio-ingressgateway").get().getSpec().getType())
                .isEqualTo("LoadBalancer");
    }

    @Test
    void reinstall_keepsTheWebhookCaBundleAndTheClusterIp() {
        assertThat(meshctl("install", "-y").exitCode()).isZero();
        MutatingWebhookConfiguration webhook = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .list().getItems().get(0);
        webhook.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle("Y2EtYnVuZGxl"));
        client.resource(webhook).update();
        Service distributor = client.services().inNamespace(NS).withName("config-distributor").get();
        distributor.getSpec().setClusterIP("10.96.0.10");
        client.resource(distributor).update();

        CliRun again = meshctl("install", "-y", "--set", "configDistributor.replicas=3");

        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems().get(0)
                .getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo("Y2EtYnVuZGxl"));
        assertThat(client.services().inNamespace(NS).withName("config-distributor").get().getSpec().getClusterIP())
                .isEqualTo("10.96.0.10");
        assertThat(client.apps().deployments().inNamespace(NS).withName("config-distributor").get().getSpec()
                .getReplicas()).isEqualTo(3);
    }

    @Test
    void componentNeverReady_failsNamingItAndWhy() {
        stuck.add("citadel-ca");

        CliRun run = meshctl("install", "-y", "--readiness-timeout", "2s");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("✔ config-distributor installed")
                .contains("✘ citadel-ca: 0 of 1 replicas ready; no pods")
                .contains("✘ Installation failed: 1 component(s) not ready after 2s: [citadel-ca]")
                .doesNotContain("Installation complete");
    }

    @Test
    void unreachableCluster_failsWithTheReason() throws Exception {
        Path bad = dir.resolve("bad-kubeconfig");
        Files.writeString(bad, Files.readString(kubeconfig).replace(client.getMasterUrl().toString(),
                "http://127.0.0.1:1/"));

        CliRun run = CliRun.of("install", "-y", "--kubeconfig", bad.toString(), "--readiness-timeout", "2s");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("✘ Installation failed").contains("127.0.0.1:1");
    }

    @Test
    void uninstallPurge_leavesNothingBehind() {
        assertThat(meshctl("install", "--set", "profile=demo", "-y").exitCode()).isZero();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("demo").endMetadata().build())
                .create();
        client.configMaps().inNamespace("demo").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("istio-ca-root-cert").withLabels(Map.of("istio.io/config", "true")).endMetadata()
                .addToData("root-cert.pem", "x").build()).create();
        client.configMaps().inNamespace("demo").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("users-own").endMetadata().build()).create();

        CliRun run = meshctl("uninstall", "--purge", "-y", "--timeout", "10s");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("✔ Uninstall complete");
        assertThat(client.apps().deployments().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(client.services().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems()).isEmpty();
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems()).isEmpty();
        assertThat(client.rbac().clusterRoles().list().getItems()).isEmpty();
        assertThat(client.namespaces().withName(NS).get()).isNull();
        assertThat(client.configMaps().inNamespace("demo").list().getItems()).extracting(c -> c.getMetadata()
                .getName()).containsExactly("users-own");
    }
}
