package dev.mesh.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.e2e.chart.MeshChart.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Per-service values reach the rendered objects; what every Deployment has in common. */
class ChartValuesTest {

    private static final Pattern MESH_VARIABLE = Pattern.compile("\\b(MESH_[A-Z0-9_]+)\\b");

    @ParameterizedTest
    @CsvSource({
        "configDistributor, config-distributor",
        "citadelCa, citadel-ca",
        "injectorWebhook, injector-webhook",
        "telemetry, telemetry",
        "ingressGateway, istio-ingressgateway",
        "egressGateway, istio-egressgateway"})
    void perServiceValues_setReplicasResourcesAndAutoscalingBounds(String key, String name) {
        Rendered rendered = MeshChart.render("profile", "demo",
                key + ".replicas", "3",
                key + ".resources.requests.cpu", "250m",
                key + ".resources.limits.memory", "3Gi",
                key + ".autoscaling.enabled", "true",
                key + ".autoscaling.minReplicas", "2",
                key + ".autoscaling.maxReplicas", "7",
                key + ".autoscaling.targetCPUUtilizationPercentage", "65");

        Deployment deployment = rendered.get(Deployment.class, name);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getResources().getRequests()).containsEntry("cpu", new Quantity("250m"));
        assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("3Gi"));
        HorizontalPodAutoscaler hpa = rendered.get(HorizontalPodAutoscaler.class, name);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(name);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(7);
        assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization()).isEqualTo(65);
        // The other services keep their defaults.
        for (Deployment other : rendered.all(Deployment.class)) {
            String otherName = other.getMetadata().getName();
            if (!otherName.equals(name) && !otherName.equals("config-distributor")) {
                assertThat(other.getSpec().getReplicas()).as(other.getMetadata().getName()).isEqualTo(1);
            }
        }
    }

    @Test
    void autoscalingMinimum_defaultsToReplicas() {
        Rendered rendered = MeshChart.render("configDistributor.replicas", "3");

        assertThat(rendered.get(Deployment.class, "config-distributor").getSpec().getReplicas()).isEqualTo(3);
        assertThat(rendered.get(HorizontalPodAutoscaler.class, "config-distributor").getSpec().getMinReplicas())
                .isEqualTo(3);
    }

    @Test
    void autoscalingMaximumBelowMinimum_isRefused() {
        assertThatThrownBy(() -> MeshChart.render("citadelCa.replicas", "4", "citadelCa.autoscaling.maxReplicas", "2"))
                .hasMessageContaining("citadel-ca: autoscaling.maxReplicas (2) is below minReplicas (4)");
    }

    @Test
    void configDistributor_runsTwoReplicasThatADrainCannotBothTake() {
        Rendered rendered = MeshChart.render();

        assertThat(rendered.get(Deployment.class, "config-distributor").getSpec().getReplicas()).isEqualTo(2);
        PodDisruptionBudget pdb = rendered.get(PodDisruptionBudget.class, "config-distributor");
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).containsEntry("app", "config-distributor");
    }

    @Test
    void everyService_hasItsServiceAccountServiceHpaAndPdb() {
        Rendered rendered = MeshChart.render("profile", "demo", "telemetry.autoscaling.enabled", "true");

        for (Deployment d : rendered.all(Deployment.class)) {
            String name = d.getMetadata().getName();
            assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(name);
            assertThat(rendered.find(ServiceAccount.class, name)).as(name).isPresent();
            assertThat(rendered.find(Service.class, name)).as(name).isPresent();
            assertThat(rendered.find(HorizontalPodAutoscaler.class, name)).as(name).isPresent();
            assertThat(rendered.find(PodDisruptionBudget.class, name)).as(name).isPresent();
            assertThat(rendered.get(Service.class, name).getSpec().getSelector())
                    .isEqualTo(d.getSpec().getSelector().getMatchLabels());
        }
    }

    @Test
    void everyContainer_runsRestricted() {
        for (Deployment d : MeshChart.render("profile", "demo").all(Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            String name = d.getMetadata().getName();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo("tmp");
                assertThat(v.getEmptyDir()).isNotNull();
            });
            for (Container c : pod.getContainers()) {
                var sc = c.getSecurityContext();
                assertThat(sc.getRunAsNonRoot()).as(name).isTrue();
                assertThat(sc.getReadOnlyRootFilesystem()).as(name).isTrue();
                assertThat(sc.getAllowPrivilegeEscalation()).as(name).isFalse();
                assertThat(sc.getCapabilities().getDrop()).as(name).containsExactly("ALL");
                assertThat(sc.getCapabilities().getAdd()).as(name).isNullOrEmpty();
                assertThat(sc.getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
                assertThat(c.getVolumeMounts()).as(name).anySatisfy(m -> {
                    assertThat(m.getName()).isEqualTo("tmp");
                    assertThat(m.getMountPath()).isEqualTo("/tmp");
                });
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "config-distributor, 15014, MESH_DISTRIBUTOR_HTTP_PORT",
        "citadel-ca, 15015, MESH_CA_HTTP_PORT",
        "injector-webhook, 15016, MESH_INJECTOR_METRICS_PORT",
        "telemetry, 20001, MESH_TELEMETRY_HTTP_PORT"})
    void quarkusServices_areProbedOnTheirHealthEndpoints(String name, int port, String portVariable) {
        Container c = container(MeshChart.render("profile", "demo"), name);

        assertThat(c.getImage()).isEqualTo("mesh/" + name + ":0.1.0");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(port);
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(port);
        assertThat(env(c)).containsEntry(portVariable, String.valueOf(port));
    }

    @Test
    void imageTagAndRepository_comeFromValues() {
        Rendered rendered = MeshChart.render("citadelCa.image.tag", "1.2.3",
                "proxy.image.repository", "registry.example/mesh/gateway-proxy");

        assertThat(container(rendered, "citadel-ca").getImage()).isEqualTo("mesh/citadel-ca:1.2.3");
        assertThat(container(rendered, "istio-ingressgateway").getImage())
                .isEqualTo("registry.example/mesh/gateway-proxy:0.1.0");
    }

    @Test
    void serviceSettings_becomeTheirEnvironmentVariables() {
        Rendered rendered = MeshChart.render("configDistributor.config.push-threads", "4",
                "configDistributor.ports.xds", "16010", "citadelCa.config.default-ttl", "12h",
                "injectorWebhook.config.max-request-bytes", "2097152");

        assertThat(env(container(rendered, "config-distributor")))
                .containsEntry("MESH_DISTRIBUTOR_PUSH_THREADS", "4")
                .containsEntry("MESH_DISTRIBUTOR_XDS_PORT", "16010")
                .containsEntry("MESH_DISTRIBUTOR_ROOT_NAMESPACE", MeshChart.NAMESPACE);
        assertThat(env(container(rendered, "citadel-ca"))).containsEntry("MESH_CA_DEFAULT_TTL", "12h")
                .containsEntry("MESH_CA_NAMESPACE", MeshChart.NAMESPACE);
        // Not 2.097152e+06: values pass through JSON on their way to the templates.
        assertThat(env(container(rendered, "injector-webhook")))
                .containsEntry("MESH_INJECTOR_MAX_REQUEST_BYTES", "2097152");
        assertThat(rendered.get(Service.class, "config-distributor").getSpec().getPorts())
                .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(16010));
    }

    @Test
    void aSettingTheChartDerives_cannotBeSetTwice() {
        assertThatThrownBy(() -> MeshChart.render("citadelCa.config.namespace", "elsewhere"))
                .hasMessageContaining("\"namespace\" is set by the chart");
    }

    /** The chart speaks the services' real settings: every MESH_* variable it sets is a documented one. */
    @Test
    void everyMeshVariable_isADocumentedSetting() throws IOException {
        String doc = Files.readString(MeshChart.root().resolve("docs/configuration.md"));
        Rendered rendered = MeshChart.render("profile", "demo");
        List<String> variables = rendered.all(Deployment.class).stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .flatMap(c -> c.getEnv().stream()).map(EnvVar::getName)
                .filter(n -> n.startsWith("MESH_")).distinct().toList();

        assertThat(variables).hasSizeGreaterThan(15);
        for (String variable : variables) {
            assertThat(doc).as("docs/configuration.md documents %s", variable).contains("`" + variable + "`");
        }
        Matcher m = MESH_VARIABLE.matcher(String.join("\n", rendered.texts()));
        while (m.find()) {
            assertThat(variables).contains(m.group(1));
        }
    }

    /** The chart's list of settings (which refuses unknown config keys) and docs/configuration.md agree. */
    @Test
    void chartSettings_areExactlyTheDocumentedOnes() throws IOException {
        String helpers = Files.readString(MeshChart.dir().resolve("templates/_helpers.tpl"));
        String doc = Files.readString(MeshChart.root().resolve("docs/configuration.md"));
        Map<String, Set<String>> chart = new TreeMap<>();
        Matcher line = Pattern.compile("\"(MESH_[A-Z]+)\" \\(list ([^)]*)\\)").matcher(helpers);
        while (line.find()) {
            chart.put(line.group(1), new TreeSet<>(List.of(line.group(2).replace("\"", "").split(" "))));
        }
        Map<String, Set<String>> documented = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(mesh\\.[a-z]+)\\.([a-z-]+)` \\|").matcher(doc);
        while (row.find()) {
            String prefix = row.group(1).toUpperCase().replace('.', '_');
            if (chart.containsKey(prefix)) {
                documented.computeIfAbsent(prefix, k -> new TreeSet<>()).add(row.group(2));
            }
        }

        assertThat(chart).containsOnlyKeys("MESH_DISTRIBUTOR", "MESH_CA", "MESH_INJECTOR", "MESH_TELEMETRY");
        assertThat(chart).as("mesh.settings in templates/_helpers.tpl, against docs/configuration.md")
                .isEqualTo(documented);
    }

    @Test
    void aMisspeltValue_isRefusedByTheSchemaNotIgnored() {
        assertThatThrownBy(() -> MeshChart.render("configDistributor.replica", "3"))
                .hasMessageContaining("at '/configDistributor': additional properties 'replica' not allowed");
        assertThatThrownBy(() -> MeshChart.render("injectorWebhook.failurePolicy", "Never"))
                .hasMessageContaining("/injectorWebhook/failurePolicy");
    }

    @Test
    void anUnknownSetting_isRefusedNotIgnored() {
        assertThatThrownBy(() -> MeshChart.render("configDistributor.config.push-thread", "4"))
                .hasMessageContaining("\"push-thread\" is not a setting of this service");
    }

    static Container container(Rendered rendered, String deployment) {
        return rendered.get(Deployment.class, deployment).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static Map<String, String> env(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }
}
