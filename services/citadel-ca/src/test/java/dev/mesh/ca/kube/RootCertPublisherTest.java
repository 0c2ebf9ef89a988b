package dev.mesh.ca.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import dev.mesh.ca.testing.MockApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RootCertPublisherTest {

    private static final String ROOT_A = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    private static final String ROOT_B = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n";

    private final MockApiServer api = new MockApiServer();
    private final KubernetesMockServer server = api.server();
    private final KubernetesClient client;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final RootCertPublisher publisher;

    RootCertPublisherTest() {
        client = server.createClient();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("existing").endMetadata().build()).create();
        publisher = new RootCertPublisher(client, executor, ROOT_A);
        publisher.start();
    }

    @AfterEach
    void stop() {
        publisher.close();
        executor.shutdownNow();
        client.close();
        api.close();
    }

    @Test
    void existingNamespace_getsTheRoot() {
        awaitRoot("existing", ROOT_A, Duration.ofSeconds(2));
    }

    @Test
    void newNamespace_getsTheRootWithinTwoSeconds() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("demo").endMetadata().build()).create();
        awaitRoot("demo", ROOT_A, Duration.ofSeconds(2));
    }

    @Test
    void deletedConfigMap_isRecreated() {
        awaitRoot("existing", ROOT_A, Duration.ofSeconds(2));
        client.configMaps().inNamespace("existing").withName(RootCertPublisher.CONFIG_MAP).delete();
        awaitRoot("existing", ROOT_A, Duration.ofSeconds(2));
    }

    @Test
    void editedConfigMap_isPutBack() {
        awaitRoot("existing", ROOT_A, Duration.ofSeconds(2));
        ConfigMap edited = new ConfigMapBuilder(configMap("existing")).addToData(RootCertPublisher.KEY, "tampered").build();
        client.configMaps().inNamespace("existing").resource(edited).update();
        awaitRoot("existing", ROOT_A, Duration.ofSeconds(2));
    }

    @Test
    void rootChange_updatesEveryNamespace() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("demo").endMetadata().build()).create();
        awaitRoot("existing", ROOT_A, Duration.ofSeconds(2));
        awaitRoot("demo", ROOT_A, Duration.ofSeconds(2));
        publisher.rootChanged(ROOT_B);
        awaitRoot("existing", ROOT_B, Duration.ofSeconds(2));
        awaitRoot("demo", ROOT_B, Duration.ofSeconds(2));
    }

    private ConfigMap configMap(String namespace) {
        return client.configMaps().inNamespace(namespace).withName(RootCertPublisher.CONFIG_MAP).get();
    }

    private void awaitRoot(String namespace, String root, Duration within) {
        await(() -> {
            ConfigMap cm = configMap(namespace);
            return cm != null && cm.getData() != null && root.equals(cm.getData().get(RootCertPublisher.KEY));
        }, within, "ConfigMap " + namespace + "/istio-ca-root-cert with the expected root");
    }

    static void await(Supplier<Boolean> condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertThat(condition.get()).as(what + " within " + within).isTrue();
    }
}
