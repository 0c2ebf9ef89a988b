package dev.mesh.proxy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Quarkus wiring starts the proxy from configuration, next to the agent's own /q endpoints. */
@QuarkusTest
@TestProfile(ProxyWiringTest.Enabled.class)
class ProxyWiringTest {

    public static class Enabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mesh.proxy.enabled", "true", "mesh.proxy.admin-port", "0", "mesh.proxy.health-port", "0",
                    "mesh.proxy.prometheus-port", "0", "mesh.proxy.discovery-address", "127.0.0.1:1",
                    "mesh.proxy.saved-config-path", "target/wiring-test/no-saved-config.pb",
                    "mesh.proxy.initial-fetch-timeout", "100ms", "mesh.proxy.pod-name", "gw-7d9f8b6c5d-abcde",
                    "mesh.proxy.pod-namespace", "istio-system");
        }
    }

    @Inject
    ProxyLauncher launcher;

    @Test
    void proxyRuns_notReadyWithoutAnyConfig_andAgentEndpointsStillServe() {
        GatewayProxy proxy = launcher.proxy();
        assertThat(proxy).isNotNull();
        assertThat(proxy.ready()).isFalse();
        given().port(proxy.healthPort()).get("/healthz/ready").then().statusCode(503);
        given().port(proxy.prometheusPort()).get("/stats/prometheus").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }
}
