package dev.mesh.injector.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.injector.tls.CaMaterial;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class SecretCaStoreTest {

    KubernetesClient client;

    @Test
    void firstReplica_createsTheSecret_andTheNextOneLoadsIt() {
        AtomicInteger made = new AtomicInteger();
        SecretCaStore store = new SecretCaStore(client, "istio-system", "injector-webhook-ca");
        CaMaterial first = store.loadOrCreate(() -> new CaMaterial("cert-" + made.incrementAndGet(), "key"));
        CaMaterial second = store.loadOrCreate(() -> new CaMaterial("cert-" + made.incrementAndGet(), "key"));

        assertThat(first).isEqualTo(new CaMaterial("cert-1", "key"));
        assertThat(second).isEqualTo(first);
        Secret secret = client.secrets().inNamespace("istio-system").withName("injector-webhook-ca").get();
        assertThat(secret.getData()).containsKeys("ca-cert.pem", "ca-key.pem");
    }

    @Test
    void secretWithoutTheKeys_fallsBackToAFreshCa() {
        client.secrets().inNamespace("istio-system").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("broken").endMetadata().addToData("other", "eA==").build()).create();
        CaMaterial ca = new SecretCaStore(client, "istio-system", "broken")
                .loadOrCreate(() -> new CaMaterial("fresh", "key"));
        assertThat(ca.certificatePem()).isEqualTo("fresh");
    }
}
