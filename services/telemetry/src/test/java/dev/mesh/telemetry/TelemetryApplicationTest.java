package dev.mesh.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mesh.telemetry.config.TelemetryConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.WithDefault;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TelemetryApplicationTest {

    @Inject
    TelemetryConfig config;

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
    void ports_defaultToTheArchitecture() throws NoSuchMethodException {
        // the test profile moves the OTLP port to a free one; the defaults are what a deployment gets
        assertEquals("4317", TelemetryConfig.class.getMethod("otlpPort").getAnnotation(WithDefault.class).value());
        assertEquals("20001", TelemetryConfig.class.getMethod("httpPort").getAnnotation(WithDefault.class).value());
        assertEquals(20001, config.httpPort());
    }
}
