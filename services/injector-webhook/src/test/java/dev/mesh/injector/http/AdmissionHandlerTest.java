package dev.mesh.injector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mesh.injection.InjectionTemplate;
import dev.mesh.injection.Injector;
import dev.mesh.injector.kube.NamespaceLabels;
import dev.mesh.injector.metrics.InjectionMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, Map<String, String>> namespaces = Map.of("demo", Map.of("istio-injection", "enabled"));

    private AdmissionHandler handler(NamespaceLabels labels) {
        return new AdmissionHandler(new Injector(), InjectionTemplate::defaults, labels, "istio-system",
                new InjectionMetrics(registry));
    }

    private AdmissionHandler handler() {
        return handler(ns -> namespaces.getOrDefault(ns, Map.of()));
    }

    private static byte[] review(String namespace, String kind, String annotations) {
        return ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\","
                + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"" + kind + "\"},\"namespace\":\"" + namespace
                + "\",\"operation\":\"CREATE\",\"object\":{\"metadata\":{\"name\":\"p\",\"annotations\":" + annotations
                + "},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}}}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode response(byte[] answer) throws Exception {
        JsonNode review = JSON.readTree(answer);
        assertThat(review.get("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(review.get("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        return review.get("response");
    }

    @Test
    void podInLabelledNamespace_getsAJsonPatch() throws Exception {
        JsonNode r = response(handler().handle("application/json; charset=utf-8", review("demo", "Pod", "{}")));
        assertThat(r.get("uid").asText()).isEqualTo("u-1");
        assertThat(r.get("allowed").asBoolean()).isTrue();
        assertThat(r.get("patchType").asText()).isEqualTo("JSONPatch");
        String patch = new String(Base64.getDecoder().decode(r.get("patch").asText()), StandardCharsets.UTF_8);
        assertThat(JSON.readTree(patch).isArray()).isTrue();
        assertThat(patch).contains("istio-proxy").contains("istio-init");
        assertThat(registry.counter("sidecar_injection_success").count()).isEqualTo(1);
    }

    @Test
    void podInUnlabelledNamespace_isAllowedWithoutPatch_andCountedAsSkip() throws Exception {
        JsonNode r = response(handler().handle("application/json", review("other", "Pod", "{}")));
        assertThat(r.get("allowed").asBoolean()).isTrue();
        assertThat(r.has("patch")).isFalse();
        assertThat(registry.counter("sidecar_injection_skip", "reason", "not-requested").count()).isEqualTo(1);
    }

    @Test
    void badTrafficAnnotation_isRefusedWithTheAnnotationAndValue() throws Exception {
        JsonNode r = response(handler().handle("application/json",
                review("demo", "Pod", "{\"traffic.sidecar.istio.io/excludeInboundPorts\":\"99999\"}")));
        assertThat(r.get("allowed").asBoolean()).isFalse();
        assertThat(r.at("/status/code").asInt()).isEqualTo(400);
        assertThat(r.at("/status/message").asText())
                .contains("traffic.sidecar.istio.io/excludeInboundPorts=\"99999\"");
        assertThat(registry.counter("sidecar_injection_failure", "type", "refused").count()).isEqualTo(1);
    }

    @Test
    void notAPod_isAllowedWithAMessage() throws Exception {
        JsonNode r = response(handler().handle("application/json", review("demo", "Service", "{}")));
        assertThat(r.get("allowed").asBoolean()).isTrue();
        assertThat(r.at("/status/message").asText()).contains("only the creation of a Pod");
    }

    @Test
    void unreadableNamespace_isAllowedWithoutPatch_andCountedAsFailure() throws Exception {
        AdmissionHandler h = handler(ns -> {
            throw new NamespaceLabels.NamespaceLabelsUnavailableException(ns, new RuntimeException("connection refused"));
        });
        JsonNode r = response(h.handle("application/json", review("demo", "Pod", "{}")));
        assertThat(r.get("allowed").asBoolean()).isTrue();
        assertThat(r.has("patch")).isFalse();
        assertThat(r.at("/status/message").asText()).contains("connection refused");
        assertThat(registry.counter("sidecar_injection_failure", "type", "namespace-unavailable").count()).isEqualTo(1);
    }

    @Test
    void namespaceThatIsNotAName_neverReachesTheLookup() throws Exception {
        AdmissionHandler h = handler(ns -> {
            throw new AssertionError("looked up " + ns);
        });
        JsonNode r = response(h.handle("application/json", review("../kube-system", "Pod", "{}")));
        assertThat(r.at("/status/message").asText()).contains("is not a namespace name");
    }

    @Test
    void wrongContentType_isUnsupportedMediaType() {
        assertThatThrownBy(() -> handler().handle("text/yaml", review("demo", "Pod", "{}")))
                .isInstanceOf(WebhookException.UnsupportedMediaType.class).hasMessageContaining("text/yaml");
        assertThatThrownBy(() -> handler().handle(null, review("demo", "Pod", "{}")))
                .isInstanceOf(WebhookException.UnsupportedMediaType.class).hasMessageContaining("missing");
    }

    @Test
    void bodiesThatAreNotReviews_areBadRequests() {
        for (String body : new String[] {"", "{", "[]", "42", "{\"kind\":\"AdmissionReview\"}", "{\"request\":7}"}) {
            assertThatThrownBy(() -> handler().handle("application/json", body.getBytes(StandardCharsets.UTF_8)))
                    .as(body).isInstanceOf(WebhookException.BadRequest.class);
        }
    }
}
