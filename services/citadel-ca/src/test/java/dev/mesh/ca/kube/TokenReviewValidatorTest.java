package dev.mesh.ca.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.Identity;
import dev.mesh.ca.testing.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenReviewValidatorTest {

    private final MockApiServer api = new MockApiServer();
    private final KubernetesClient client = api.server().createClient();
    private final TokenReviewValidator validator = new TokenReviewValidator(client, "istio-ca", "cluster.local");

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    @Test
    void serviceAccountTokenForIstioCa_namesTheServiceAccount() {
        assertThat(validator.validate(api.serviceAccountToken("demo", "podinfo", "istio-ca")))
                .isEqualTo(new Identity("cluster.local", "demo", "podinfo"));
    }

    @Test
    void forgedToken_isRefused() {
        refused("eyJhbGciOiJSUzI1NiJ9.forged.signature", Reason.INVALID_TOKEN, "invalid bearer token");
    }

    @Test
    void expiredToken_isRefusedWithTheApiServersReason() {
        refused(api.refusedToken("[invalid bearer token, token has been invalidated]"), Reason.INVALID_TOKEN, "invalidated");
    }

    @Test
    void tokenForAnotherAudience_isRefused() {
        refused(api.serviceAccountToken("demo", "podinfo", "https://kubernetes.default.svc"), Reason.INVALID_TOKEN, "audiences");
    }

    @Test
    void userThatIsNotAServiceAccount_isRefused() {
        refused(api.userToken("alice", "istio-ca"), Reason.INVALID_TOKEN, "not to a service account");
    }

    @Test
    void unreachableApiServer_isUnavailableNotUnauthenticated() {
        // Port 1 on loopback: nothing listens; no retries, so the test does not wait out the client's backoff.
        KubernetesClient downClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:1").withRequestRetryBackoffLimit(0).withTrustCerts(true).build()).build();
        try {
            assertThatThrownBy(() -> new TokenReviewValidator(downClient, "istio-ca", "cluster.local").validate("anything"))
                    .isInstanceOf(CaException.class)
                    .satisfies(e -> assertThat(((CaException) e).reason()).isEqualTo(Reason.TOKEN_REVIEW_UNAVAILABLE))
                    .hasMessageContaining("retry later");
        } finally {
            downClient.close();
        }
    }

    private void refused(String token, Reason reason, String messagePart) {
        assertThatThrownBy(() -> validator.validate(token)).isInstanceOf(CaException.class)
                .satisfies(e -> assertThat(((CaException) e).reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }
}
