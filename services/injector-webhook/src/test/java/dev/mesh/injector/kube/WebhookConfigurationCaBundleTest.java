package dev.mesh.injector.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class WebhookConfigurationCaBundleTest {

    KubernetesClient client;

    @Test
    void caBundle_isWrittenIntoEveryWebhook_andReplacedOnRotation() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("inj").endMetadata()
                        .addNewWebhook().withName("a.mesh.dev").withNewClientConfig().withCaBundle("b2xk")
                        .endClientConfig().endWebhook()
                        .addNewWebhook().withName("b.mesh.dev").endWebhook().build()).create();
        WebhookConfigurationCaBundle publisher = new WebhookConfigurationCaBundle(client, "inj");

        publisher.publish("CA-1\n");
        publisher.publish("CA-2\n");

        MutatingWebhookConfiguration c = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("inj").get();
        String expected = Base64.getEncoder().encodeToString("CA-2\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(expected));
    }

    @Test
    void missingConfiguration_isNotFatal() {
        new WebhookConfigurationCaBundle(client, "not-installed").publish("CA\n");
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems()).isEmpty();
    }
}
