package dev.mesh.ca;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mesh.ca.config.CaConfig;
import dev.mesh.ca.testing.CaClient;
import dev.mesh.ca.testing.Csrs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.smallrye.config.WithDefault;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The packaged wiring: Quarkus starts the CA against a mock API server and serves health and metrics. */
@QuarkusTest
@WithKubernetesTestServer
class CaApplicationTest {

    @Inject
    CaConfig config;

    @Inject
    CaLifecycle lifecycle;

    @Inject
    KubernetesClient client;

    @BeforeEach
    void awaitReady() throws InterruptedException {
        for (int i = 0; i < 300 && (lifecycle.runtime() == null || !lifecycle.runtime().isReady()); i++) {
            Thread.sleep(50);
        }
    }

    @Test
    void readiness_isUpOnceTheCaServes() {
        given().when().get("/q/health/ready").then().statusCode(200).body(containsString("\"status\": \"UP\""));
        assertThat(client.secrets().inNamespace("istio-system").withName("istio-ca-secret").get()).isNotNull();
    }

    @Test
    void metrics_areServedInPrometheusFormat_withTheCaMetrics() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"))
                .body(containsString("citadel_server_csr_total{outcome=\"refused\",reason=\"missing_credentials\"}"))
                .body(containsString("citadel_server_root_cert_expiry_seconds"))
                .body(containsString("citadel_server_cert_chain_expiry_seconds"));
    }

    @Test
    void grpcServer_answersOverTls() throws Exception {
        var runtime = lifecycle.runtime();
        try (CaClient ca = CaClient.connect(runtime.grpcPort(), runtime.keyMaterial().get().root(), "citadel-ca.istio-system.svc")) {
            io.grpc.StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                    () -> ca.create(null, Csrs.spiffe(Csrs.ecP256(), "spiffe://cluster.local/ns/demo/sa/podinfo"), 0));
            assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        }
        given().when().get("/q/metrics").then()
                .body(containsString("citadel_server_csr_total{outcome=\"refused\",reason=\"missing_credentials\"} 1.0"));
    }

    @Test
    void ports_defaultToTheArchitecture() throws NoSuchMethodException {
        // Tests bind gRPC to an ephemeral port (application.properties, %test); the default is the architecture's.
        assertEquals("8060", CaConfig.class.getMethod("grpcPort").getAnnotation(WithDefault.class).value());
        assertEquals(15015, config.httpPort());
    }
}
