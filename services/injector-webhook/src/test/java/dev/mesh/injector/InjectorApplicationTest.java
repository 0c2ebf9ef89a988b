package dev.mesh.injector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mesh.injector.config.InjectorConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.smallrye.config.WithDefault;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = WebhookHttpsTest.Cluster.class)
class InjectorApplicationTest {

    @Inject
    InjectorConfig config;

    @Test
    void readiness_isUp() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metrics_areServedInPrometheusFormat() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"))
                .body(containsString("sidecar_injection_requests_total"));
    }

    @Test
    void ports_defaultToTheArchitecture() throws NoSuchMethodException {
        // The test profile binds the webhook to an ephemeral port; the defaults are the architecture's.
        assertEquals("15017", InjectorConfig.class.getMethod("webhookPort").getAnnotation(WithDefault.class).value());
        assertEquals(15016, config.metricsPort());
    }
}
