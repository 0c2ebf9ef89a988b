package dev.mesh.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.e2e.chart.MeshChart.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Proxies export their request spans to the telemetry Service when the profile installs telemetry: the gateways
 * through their environment, sidecars through the injection values; without telemetry nothing points at it.
 */
class ChartTelemetryWiringTest {

    private static Optional<String> gatewayTelemetryAddress(Rendered rendered) {
        Deployment gateway = rendered.all(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("istio-ingressgateway")).findFirst().orElseThrow();
        return gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("MESH_PROXY_TELEMETRY_ADDRESS")).map(EnvVar::getValue).findFirst();
    }

    private static String injectionValues(Rendered rendered) {
        return rendered.all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals("injector-webhook-values"))
                .findFirst().orElseThrow().getData().get("values.yaml");
    }

    @Test
    void defaultProfile_pointsGatewaysAndSidecarsAtTheTelemetryService() {
        Rendered rendered = MeshChart.render("profile", "default");
        assertThat(gatewayTelemetryAddress(rendered)).hasValue("telemetry.istio-system.svc:4317");
        assertThat(injectionValues(rendered)).contains("telemetryAddress: \"telemetry.istio-system.svc:4317\"");
        assertThat(rendered.all(io.fabric8.kubernetes.api.model.Service.class))
                .anyMatch(s -> s.getMetadata().getName().equals("telemetry")
                        && s.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == 4317));
    }

    @Test
    void withoutTelemetry_nothingExports() {
        Rendered rendered = MeshChart.render("profile", "default", "telemetry.enabled", "false");
        assertThat(gatewayTelemetryAddress(rendered)).isEmpty();
        assertThat(injectionValues(rendered)).doesNotContain("telemetryAddress");
    }
}
