package dev.mesh.injector.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.injection.InjectionRequest;
import dev.mesh.injection.InjectionResult;
import dev.mesh.injection.Injector;
import dev.mesh.injector.kube.NamespaceLabels;
import dev.mesh.injector.metrics.InjectionMetrics;
import dev.mesh.injector.template.TemplateSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One AdmissionReview in, one out. A body that is not an AdmissionReview is a {@link WebhookException}; anything
 * else gets a well-formed AdmissionResponse: the JSON Patch when the pod is injected, {@code allowed} without a
 * patch when it is not (or cannot be handled: not a pod, no namespace labels), {@code allowed: false} with the
 * reason when its annotations are malformed, as Istio refuses them.
 */
public final class AdmissionHandler {

    private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String V1 = "admission.k8s.io/v1";
    /** A namespace name (RFC 1123 label); anything else never reaches the API server's URL. */
    private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private final Injector injector;
    private final TemplateSource template;
    private final NamespaceLabels namespaces;
    private final String meshNamespace;
    private final InjectionMetrics metrics;

    public AdmissionHandler(Injector injector, TemplateSource template, NamespaceLabels namespaces,
            String meshNamespace, InjectionMetrics metrics) {
        this.injector = injector;
        this.template = template;
        this.namespaces = namespaces;
        this.meshNamespace = meshNamespace;
        this.metrics = metrics;
    }

    /**
     * Answers a review.
     *
     * @param contentType the request's Content-Type header, or null
     * @throws WebhookException if the body is not a JSON AdmissionReview with a request
     */
    public byte[] handle(String contentType, byte[] body) {
        long start = System.nanoTime();
        metrics.request();
        try {
            return answer(contentType, body);
        } finally {
            metrics.took(java.time.Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private byte[] answer(String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip()
                .equals("application/json")) {
            metrics.failed(InjectionMetrics.UNSUPPORTED_MEDIA_TYPE);
            throw new WebhookException.UnsupportedMediaType("Content-Type must be application/json, not "
                    + (contentType == null ? "missing" : "\"" + contentType + "\""));
        }
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (java.io.IOException e) {
            metrics.failed(InjectionMetrics.BAD_REQUEST);
            throw new WebhookException.BadRequest("the body is not JSON: " + firstLine(e));
        }
        if (review == null || !review.isObject()) {
            metrics.failed(InjectionMetrics.BAD_REQUEST);
            throw new WebhookException.BadRequest("the body is not an AdmissionReview (a JSON object)");
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            metrics.failed(InjectionMetrics.BAD_REQUEST);
            throw new WebhookException.BadRequest("the AdmissionReview has no request object");
        }
        String apiVersion = review.path("apiVersion").asText(V1);
        String uid = request.path("uid").isValueNode() ? request.path("uid").asText() : "";
        ObjectNode response = JSON.createObjectNode();
        response.put("uid", uid);
        decide(request, uid, response);
        ObjectNode out = JSON.createObjectNode();
        out.put("apiVersion", apiVersion.startsWith("admission.k8s.io/") ? apiVersion : V1);
        out.put("kind", "AdmissionReview");
        out.set("response", response);
        try {
            return JSON.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an AdmissionReview", e);
        }
    }

    private void decide(JsonNode request, String uid, ObjectNode response) {
        String kind = request.path("kind").path("kind").asText("");
        String operation = request.path("operation").asText("CREATE");
        JsonNode pod = request.get("object");
        if (!kind.equals("Pod") || !operation.equals("CREATE") || pod == null || !pod.isObject()) {
            metrics.skipped("not-a-pod-creation");
            allowed(response, "not injected: only the creation of a Pod is handled (got " + (kind.isEmpty() ? "no kind"
                    : kind) + ", " + operation + (pod != null && pod.isObject() ? "" : ", no object") + ")");
            return;
        }
        String namespace = request.path("namespace").asText("");
        if (namespace.isEmpty()) {
            namespace = pod.path("metadata").path("namespace").asText("");
        }
        if (namespace.isEmpty()) {
            metrics.skipped("no-namespace");
            allowed(response, "not injected: the request names no namespace");
            return;
        }
        if (!DNS_LABEL.matcher(namespace).matches()) {
            metrics.skipped("no-namespace");
            allowed(response, "not injected: \"" + namespace + "\" is not a namespace name");
            return;
        }
        Map<String, String> labels;
        try {
            labels = namespaces.labels(namespace);
        } catch (NamespaceLabels.NamespaceLabelsUnavailableException e) {
            metrics.failed(InjectionMetrics.NAMESPACE_UNAVAILABLE);
            LOG.warnf("admission %s: pod in %s not injected: %s", uid, namespace, e.getMessage());
            allowed(response, "not injected: " + e.getMessage());
            return;
        }
        InjectionResult result;
        try {
            result = injector.inject(new InjectionRequest(pod, namespace, labels, meshNamespace, null),
                    template.current());
        } catch (RuntimeException e) {
            // A bug, not bad input: the pod still starts (without sidecar) rather than the API server seeing a 5xx.
            metrics.failed(InjectionMetrics.INTERNAL);
            LOG.errorf(e, "admission %s: pod in %s not injected: internal error", uid, namespace);
            allowed(response, "not injected: internal error in the injector");
            return;
        }
        switch (result.outcome()) {
            case INJECTED -> {
                metrics.injected();
                response.put("allowed", true);
                response.put("patchType", "JSONPatch");
                response.put("patch", Base64.getEncoder().encodeToString(
                        result.patch().toString().getBytes(StandardCharsets.UTF_8)));
            }
            case SKIPPED -> {
                metrics.skipped(result.skipReason());
                response.put("allowed", true);
            }
            case REFUSED -> {
                metrics.failed(InjectionMetrics.REFUSED);
                response.put("allowed", false);
                response.putObject("status").put("code", 400).put("reason", "BadRequest")
                        .put("message", "sidecar injection refused: " + result.message());
            }
        }
    }

    private static void allowed(ObjectNode response, String message) {
        response.put("allowed", true);
        response.putObject("status").put("message", message);
    }

    private static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
