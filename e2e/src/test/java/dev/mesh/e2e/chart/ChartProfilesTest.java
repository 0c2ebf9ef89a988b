package dev.mesh.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.e2e.chart.MeshChart.Rendered;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three profiles: each renders into typed Kubernetes objects and runs the components Istio's profile of that name
 * does.
 */
class ChartProfilesTest {

    private static final List<String> CONTROL_PLANE = List.of("config-distributor", "citadel-ca", "injector-webhook");

    @ParameterizedTest
    @ValueSource(strings = {"demo", "default", "minimal"})
    void everyProfile_rendersOnlyObjectsFabric8KnowsAsTypedClasses(String profile) {
        Rendered rendered = MeshChart.render("profile", profile);

        assertThat(rendered.objects()).hasSizeGreaterThan(20);
        for (int i = 0; i < rendered.objects().size(); i++) {
            HasMetadata object = rendered.objects().get(i);
            // The typed class round-trips to the same apiVersion and kind the template wrote.
            JsonNode text = yaml(rendered.texts().get(i));
            assertThat(object.getApiVersion()).isEqualTo(text.path("apiVersion").asText());
            assertThat(object.getKind()).isEqualTo(text.path("kind").asText());
            assertThat(object.getMetadata().getName()).isNotBlank();
            JsonNode back = yaml(Serialization.asYaml(object));
            assertThat(back).as("%s/%s survives fabric8 unchanged", object.getKind(), object.getMetadata().getName())
                    .isEqualTo(text);
        }
    }

    @Test
    void minimal_runsTheControlPlaneOnly() {
        Rendered rendered = MeshChart.render("profile", "minimal");

        assertThat(deployments(rendered)).containsExactlyInAnyOrderElementsOf(CONTROL_PLANE);
        assertThat(rendered.all(Service.class)).noneMatch(s -> "LoadBalancer".equals(s.getSpec().getType()));
    }

    @Test
    void default_addsTelemetryAndTheIngressGateway() {
        Rendered rendered = MeshChart.render("profile", "default");

        assertThat(deployments(rendered)).containsExactlyInAnyOrderElementsOf(
                plus(CONTROL_PLANE, "telemetry", "istio-ingressgateway"));
    }

    @Test
    void withoutProfile_theDefaultProfileApplies() {
        assertThat(deployments(MeshChart.render())).isEqualTo(deployments(MeshChart.render("profile", "default")));
    }

    @Test
    void demo_addsTheEgressGatewayBehindAClusterIpService() {
        Rendered rendered = MeshChart.render("profile", "demo");

        assertThat(deployments(rendered)).containsExactlyInAnyOrderElementsOf(
                plus(CONTROL_PLANE, "telemetry", "istio-ingressgateway", "istio-egressgateway"));
        Deployment egress = rendered.get(Deployment.class, "istio-egressgateway");
        assertThat(egress.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("istio", "egressgateway").containsEntry("app", "istio-egressgateway");
        Service service = rendered.get(Service.class, "istio-egressgateway");
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector()).containsEntry("istio", "egressgateway");
    }

    @Test
    void ingressGateway_isTheWalkthroughsLoadBalancer() {
        Rendered rendered = MeshChart.render("profile", "demo");

        Service service = rendered.get(Service.class, "istio-ingressgateway");
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getSelector()).containsEntry("istio", "ingressgateway");
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort,
                        p -> p.getTargetPort().getIntVal())
                .containsExactly(tuple("status-port", 15021, 15021),
                        tuple("http2", 80, 80),
                        tuple("https", 443, 443));
        Deployment gateway = rendered.get(Deployment.class, "istio-ingressgateway");
        assertThat(gateway.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("istio", "ingressgateway").containsEntry("app", "istio-ingressgateway");
        var container = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("mesh/gateway-proxy:0.1.0");
        assertThat(ChartValuesTest.env(container)).containsEntry("MESH_PROXY_MODE", "router")
                .containsEntry("MESH_PROXY_DISCOVERY_ADDRESS", "config-distributor.istio-system.svc:15010")
                .containsEntry("MESH_PROXY_LABELS", "app=istio-ingressgateway,istio=ingressgateway")
                .containsEntry("MESH_PROXY_IDENTITY_ENABLED", "true")
                .containsEntry("MESH_PROXY_IDENTITY_CA_ADDRESS", "citadel-ca.istio-system.svc:8060");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz/ready");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(15021);
        assertThat(container.getPorts()).extracting(p -> p.getContainerPort()).contains(80, 443, 15021, 15090);
        assertThat(gateway.getSpec().getTemplate().getSpec().getSecurityContext().getSysctls())
                .extracting(s -> s.getName() + "=" + s.getValue()).containsExactly("net.ipv4.ip_unprivileged_port_start=0");
    }

    @Test
    void explicitValues_winOverTheProfile() {
        assertThat(deployments(MeshChart.render("profile", "minimal", "ingressGateway.enabled", "true")))
                .contains("istio-ingressgateway");
        assertThat(deployments(MeshChart.render("profile", "demo", "egressGateway.enabled", "false")))
                .doesNotContain("istio-egressgateway").contains("istio-ingressgateway");
    }

    @Test
    void unknownProfile_isRefusedByName() {
        assertThatThrownBy(() -> MeshChart.render("profile", "ambient"))
                .hasMessageContaining("at '/profile': value must be one of 'demo', 'default', 'minimal'");
    }

    /** Why the precedence holds: values.yaml never sets a key a profile sets, so its defaults cannot mask one. */
    @Test
    void valuesYaml_setsNoKeyThatAProfileSets() throws IOException {
        JsonNode values = yaml(Files.readString(MeshChart.dir().resolve("values.yaml")));
        for (String profile : List.of("demo", "default", "minimal")) {
            JsonNode p = yaml(Files.readString(MeshChart.dir().resolve("profiles/" + profile + ".yaml")));
            List<String> leaves = new ArrayList<>();
            leaves(p, "", leaves);
            assertThat(leaves).isNotEmpty();
            for (String leaf : leaves) {
                assertThat(values.at(leaf).isMissingNode())
                        .as("values.yaml sets %s, which profile %s sets", leaf, profile).isTrue();
            }
        }
    }

    private static void leaves(JsonNode node, String path, List<String> out) {
        if (!node.isObject()) {
            out.add(path);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            leaves(e.getValue(), path + "/" + e.getKey(), out);
        }
    }

    static List<String> deployments(Rendered rendered) {
        return rendered.all(Deployment.class).stream().map(d -> d.getMetadata().getName()).sorted().toList();
    }

    private static List<String> plus(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    static JsonNode yaml(String text) {
        try {
            return new YAMLMapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not YAML: " + text, e);
        }
    }
}
