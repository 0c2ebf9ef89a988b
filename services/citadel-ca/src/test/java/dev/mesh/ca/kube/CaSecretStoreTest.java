package dev.mesh.ca.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.pki.SelfSignedRoot;
import dev.mesh.ca.testing.MutableClock;
import dev.mesh.ca.testing.TestCas;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import dev.mesh.ca.testing.MockApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CaSecretStoreTest {

    private static final String NS = "istio-system";

    private final MutableClock clock = MutableClock.ofNow();
    private final MockApiServer api = new MockApiServer();
    private final KubernetesMockServer server = api.server();
    private final KubernetesClient client;

    CaSecretStoreTest() {
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private CaSecretStore store(KubernetesClient c) {
        return new CaSecretStore(c, NS, "cluster.local", Duration.ofDays(3650), new SelfSignedRoot(clock));
    }

    @Test
    void withNoSecret_createsIstioCaSecretOnceAndReadsItBack() {
        CaKeyMaterial first = store(client).load(Optional.empty());
        Secret secret = client.secrets().inNamespace(NS).withName(CaSecretStore.SELF_SIGNED).get();
        assertThat(secret.getData()).containsKeys("ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem");
        assertThat(secret.getType()).isEqualTo("istio.io/ca-root");
        CaKeyMaterial again = store(client).load(Optional.empty());
        assertThat(again.root()).isEqualTo(first.root());
        assertThat(again.signingKey()).isEqualTo(first.signingKey());
    }

    @Test
    void replicasStartingTogether_endWithOneRoot() throws Exception {
        int replicas = 6;
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        List<KubernetesClient> clients = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CaKeyMaterial>> results = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                KubernetesClient own = server.createClient();
                clients.add(own);
                CaSecretStore store = store(own);
                results.add(pool.submit(() -> {
                    go.await();
                    return store.load(Optional.empty());
                }));
            }
            go.countDown();
            List<CaKeyMaterial> loaded = new ArrayList<>();
            for (Future<CaKeyMaterial> result : results) {
                loaded.add(result.get());
            }
            CaKeyMaterial stored = store(client).load(Optional.empty());
            assertThat(loaded).allSatisfy(m -> assertThat(m.root()).isEqualTo(stored.root()));
        } finally {
            pool.shutdownNow();
            clients.forEach(KubernetesClient::close);
        }
    }

    @Test
    void pluggedInCacerts_winsAndKeepsTheIntermediateInTheChain() {
        TestCas.Plugged plugged = TestCas.rootAndIntermediate(clock.instant());
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("cacerts").endMetadata()
                .withData(plugged.secretData()).build()).create();

        CaKeyMaterial material = store(client).load(Optional.empty());

        assertThat(material.source()).isEqualTo("cacerts");
        assertThat(material.signingCert()).isEqualTo(plugged.intermediate());
        assertThat(material.chain()).containsExactly(plugged.intermediate(), plugged.root());
        assertThat(client.secrets().inNamespace(NS).withName(CaSecretStore.SELF_SIGNED).get()).isNull();
    }

    @Test
    void cacertsWithAKeyThatIsNotTheCertificates_isRefusedNamingSecretAndKey() {
        TestCas.Plugged plugged = TestCas.rootAndIntermediate(clock.instant());
        TestCas.Plugged other = TestCas.rootAndIntermediate(clock.instant());
        Map<String, String> data = new HashMap<>(plugged.secretData());
        data.put("ca-key.pem", other.secretData().get("ca-key.pem"));
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("cacerts").endMetadata()
                .withData(data).build()).create();

        assertThatThrownBy(() -> store(client).load(Optional.empty())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Secret cacerts").hasMessageContaining("ca-key.pem is not the private key of ca-cert.pem");
    }

    @Test
    void cacertsWithoutKey_isRefusedNamingTheMissingKey() {
        TestCas.Plugged plugged = TestCas.rootAndIntermediate(clock.instant());
        Map<String, String> data = new HashMap<>(plugged.secretData());
        data.remove("ca-key.pem");
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("cacerts").endMetadata()
                .withData(data).build()).create();

        assertThatThrownBy(() -> store(client).load(Optional.empty())).hasMessageContaining("Secret cacerts: key ca-key.pem is missing");
    }

    @Test
    void deletedIstioCaSecret_isWrittenBackWithTheRootInUse() {
        CaKeyMaterial first = store(client).load(Optional.empty());
        client.secrets().inNamespace(NS).withName(CaSecretStore.SELF_SIGNED).delete();

        CaKeyMaterial after = store(client).load(Optional.of(first));

        assertThat(after.root()).isEqualTo(first.root());
        assertThat(client.secrets().inNamespace(NS).withName(CaSecretStore.SELF_SIGNED).get()).isNotNull();
    }
}
