package dev.mesh.injector.kube;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.logging.Logger;

/**
 * Writes the CA into every webhook of the MutatingWebhookConfiguration this service owns. A configuration that
 * does not exist (not installed yet, or running outside the chart) is logged, not fatal: the webhook still
 * serves whoever trusts it.
 */
public final class WebhookConfigurationCaBundle implements CaBundlePublisher {

    private static final Logger LOG = Logger.getLogger(WebhookConfigurationCaBundle.class);

    private final KubernetesClient client;
    private final String name;

    public WebhookConfigurationCaBundle(KubernetesClient client, String name) {
        this.client = client;
        this.name = name;
    }

    @Override
    public void publish(String caPem) {
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        try {
            var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name);
            MutatingWebhookConfiguration current = resource.get();
            if (current == null) {
                LOG.warnf("MutatingWebhookConfiguration %s not found: caBundle not written; the API server will not"
                        + " call this webhook until it exists and the webhook is restarted or rotates its certificate",
                        name);
                return;
            }
            if (current.getWebhooks().stream().allMatch(w -> w.getClientConfig() != null
                    && bundle.equals(w.getClientConfig().getCaBundle()))) {
                return;
            }
            resource.edit(c -> {
                for (MutatingWebhook w : c.getWebhooks()) {
                    if (w.getClientConfig() == null) {
                        w.setClientConfig(new WebhookClientConfig());
                    }
                    w.getClientConfig().setCaBundle(bundle);
                }
                return c;
            });
            LOG.infof("caBundle written to MutatingWebhookConfiguration %s (%d webhooks)", name,
                    current.getWebhooks().size());
        } catch (KubernetesClientException e) {
            LOG.errorf("cannot write the caBundle of MutatingWebhookConfiguration %s: %s", name, e.getMessage());
        }
    }
}
