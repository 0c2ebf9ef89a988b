package dev.mesh.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.e2e.chart.MeshChart.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MutatingWebhookConfiguration and what the injector needs to serve it. */
class ChartWebhookTest {

    @Test
    void webhook_neverInjectsTheMeshNamespace_whateverItIsCalled() {
        Rendered rendered = MeshChart.renderIn("mesh-system");

        MutatingWebhook webhook = webhook(rendered);
        assertThat(webhook.getNamespaceSelector().getMatchExpressions())
                .anySatisfy(r -> requirement(r, "kubernetes.io/metadata.name", "NotIn", "mesh-system"))
                .anySatisfy(r -> requirement(r, "istio-injection", "In", "enabled"));
        assertThat(ChartValuesTest.env(ChartValuesTest.container(rendered, "injector-webhook")))
                .containsEntry("MESH_INJECTOR_NAMESPACE", "mesh-system");
    }

    @Test
    void webhook_honoursThePodsInjectLabel() {
        MutatingWebhook webhook = webhook(MeshChart.render());

        assertThat(webhook.getObjectSelector().getMatchExpressions()).singleElement()
                .satisfies(r -> requirement(r, "sidecar.istio.io/inject", "NotIn", "false"));
    }

    @Test
    void webhook_callsTheInjectorServiceOn443ForwardedTo15017() {
        Rendered rendered = MeshChart.render();
        MutatingWebhook webhook = webhook(rendered);

        var service = webhook.getClientConfig().getService();
        assertThat(service.getName()).isEqualTo("injector-webhook");
        assertThat(service.getNamespace()).isEqualTo(MeshChart.NAMESPACE);
        assertThat(service.getPort()).isEqualTo(443);
        assertThat(service.getPath()).isEqualTo("/inject");
        assertThat(webhook.getClientConfig().getCaBundle()).as("written by the webhook itself").isNull();
        assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(webhook.getSideEffects()).isEqualTo("None");
        assertThat(webhook.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getOperations()).containsExactly("CREATE");
            assertThat(rule.getResources()).containsExactly("pods");
        });
        assertThat(rendered.get(Service.class, "injector-webhook").getSpec().getPorts())
                .anySatisfy(p -> {
                    assertThat(p.getPort()).isEqualTo(443);
                    assertThat(p.getTargetPort().getStrVal()).isEqualTo("https-webhook");
                });
        assertThat(ChartValuesTest.container(rendered, "injector-webhook").getPorts())
                .anySatisfy(p -> {
                    assertThat(p.getName()).isEqualTo("https-webhook");
                    assertThat(p.getContainerPort()).isEqualTo(15017);
                });
    }

    @Test
    void failurePolicyTimeoutAndName_comeFromValues() {
        Rendered rendered = MeshChart.render("injectorWebhook.failurePolicy", "Ignore",
                "injectorWebhook.timeoutSeconds", "5", "injectorWebhook.webhookConfigurationName", "mesh-injector");

        MutatingWebhookConfiguration configuration = rendered.get(MutatingWebhookConfiguration.class, "mesh-injector");
        assertThat(configuration.getWebhooks().get(0).getFailurePolicy()).isEqualTo("Ignore");
        assertThat(configuration.getWebhooks().get(0).getTimeoutSeconds()).isEqualTo(5);
        // The webhook is told the same name, and may patch that configuration and no other.
        assertThat(ChartValuesTest.env(ChartValuesTest.container(rendered, "injector-webhook")))
                .containsEntry("MESH_INJECTOR_WEBHOOK_CONFIGURATION_NAME", "mesh-injector");
        ClusterRole role = rendered.get(ClusterRole.class, "injector-webhook-" + MeshChart.NAMESPACE);
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("mutatingwebhookconfigurations");
            assertThat(rule.getResourceNames()).containsExactly("mesh-injector");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
        });
    }

    @Test
    void injectionValues_areMountedWhereTheInjectorReadsThem() throws IOException {
        Rendered rendered = MeshChart.render("proxy.image.tag", "9.9.9");
        Deployment deployment = rendered.get(Deployment.class, "injector-webhook");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);

        String file = ChartValuesTest.env(c).get("MESH_INJECTOR_TEMPLATE_FILE");
        String dir = file.substring(0, file.lastIndexOf('/'));
        String key = file.substring(file.lastIndexOf('/') + 1);
        var mount = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(dir)).findFirst().orElseThrow();
        assertThat(mount.getSubPath()).as("a subPath mount would never see an update").isNull();
        String configMapName = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow().getConfigMap().getName();
        ConfigMap values = rendered.get(ConfigMap.class, configMapName);
        Map<String, Object> parsed = new YAMLMapper().readValue(values.getData().get(key), new TypeReference<>() { });
        assertThat(parsed).containsEntry("proxyImage", "mesh/gateway-proxy:9.9.9")
                .containsEntry("caAddress", "citadel-ca.istio-system.svc:8060")
                .containsEntry("xdsAddress", "config-distributor.istio-system.svc:15012")
                .containsEntry("nativeSidecar", false);
    }

    private static MutatingWebhook webhook(Rendered rendered) {
        return rendered.get(MutatingWebhookConfiguration.class, "injector-webhook").getWebhooks().stream()
                .reduce((a, b) -> {
                    throw new AssertionError("one webhook expected");
                }).orElseThrow();
    }

    private static void requirement(LabelSelectorRequirement r, String key, String operator, String value) {
        assertThat(r.getKey()).isEqualTo(key);
        assertThat(r.getOperator()).isEqualTo(operator);
        assertThat(r.getValues()).containsExactly(value);
    }
}
