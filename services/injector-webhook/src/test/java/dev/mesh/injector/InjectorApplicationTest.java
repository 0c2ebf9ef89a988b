package dev.mesh.injector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mesh.injector.config.InjectorConfig;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
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
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }

    @Test
    void ports_defaultToTheArchitecture() {
        assertEquals(15017, config.webhookPort());
        assertEquals(15016, config.metricsPort());
    }
}
