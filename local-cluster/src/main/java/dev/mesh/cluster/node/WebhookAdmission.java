package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.injection.JsonPatch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Mutating admission as the Kubernetes API server does it, for the local cluster's create path: every webhook of
 * every stored MutatingWebhookConfiguration (configurations in name order, webhooks in their order) whose rules,
 * namespaceSelector and objectSelector match the request is called with an AdmissionReview v1 over HTTPS (the
 * server's certificate checked against the webhook's caBundle and the name the API server would dial:
 * {@code <service>.<namespace>.svc} or the URL's host); its JSON Patch is applied to the object before the next
 * webhook sees it. A webhook that cannot be called, times out or answers garbage fails the request under
 * {@code failurePolicy: Fail} (the default) and is skipped under {@code Ignore}; a webhook that denies the request
 * rejects it whatever its failurePolicy.
 *
 * <p>Not done: {@code matchConditions} (CEL; a webhook that has them is called as if they matched), reinvocation
 * ({@code reinvocationPolicy: IfNeeded} is treated as Never), JSON Patch {@code move}/{@code copy} (a patch with them
 * counts as a failed call).
 */
public final class WebhookAdmission {

    private static final Logger LOG = Logger.getLogger(WebhookAdmission.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String METADATA_NAME_LABEL = "kubernetes.io/metadata.name";
    private static final int DEFAULT_TIMEOUT_SECONDS = 10;
    private static final int MAX_TIMEOUT_SECONDS = 30;

    /** Where to dial a webhook Service: the local cluster has no Service IPs. */
    @FunctionalInterface
    public interface ServiceResolver {
        /** Address serving {@code port} of Service {@code namespace/name}, or empty when nothing serves it. */
        Optional<InetSocketAddress> resolve(String namespace, String name, int port);
    }

    /** What is being admitted: a create or update of a namespaced object. */
    public record Request(String group, String version, String kind, String resource, String operation,
            String namespace, JsonNode object, JsonNode oldObject, String username) {

        /** The creation of a Pod (core/v1) by {@code username}. */
        public static Request podCreate(JsonNode pod, String namespace, String username) {
            return new Request("", "v1", "Pod", "pods", "CREATE", namespace, pod, null, username);
        }
    }

    /** The outcome of admission: the (possibly mutated) object, or why it is rejected. */
    public sealed interface Outcome {
        /** Admitted; {@code object} carries every applied patch, {@code patchedBy} names the webhooks that patched. */
        record Admitted(JsonNode object, List<String> patchedBy) implements Outcome {
        }

        /** Rejected with the HTTP status and the message the API server would answer. */
        record Rejected(int code, String message) implements Outcome {
        }
    }

    private final ServiceResolver services;

    public WebhookAdmission(ServiceResolver services) {
        this.services = services;
    }

    /**
     * Runs the mutating webhooks of {@code configurations} (MutatingWebhookConfiguration objects as JSON) over
     * {@code request}; {@code namespace} is the Namespace object the request's object lives in (null for none).
     */
    public Outcome admit(Request request, JsonNode namespace, List<? extends JsonNode> configurations) {
        Map<String, String> namespaceLabels = namespaceLabels(request.namespace(), namespace);
        List<JsonNode> sorted = new ArrayList<>(configurations);
        sorted.sort(Comparator.comparing(c -> c.path("metadata").path("name").asText()));
        JsonNode object = request.object().deepCopy();
        List<String> patchedBy = new ArrayList<>();
        for (JsonNode configuration : sorted) {
            String configName = configuration.path("metadata").path("name").asText();
            for (JsonNode webhook : configuration.path("webhooks")) {
                String name = webhook.path("name").asText(configName);
                boolean ignore = "Ignore".equals(webhook.path("failurePolicy").asText("Fail"));
                boolean applies;
                try {
                    applies = rulesMatch(webhook.path("rules"), request)
                            && LabelSelectors.matches(webhook.get("namespaceSelector"), namespaceLabels)
                            && LabelSelectors.matches(webhook.get("objectSelector"),
                                    LabelSelectors.labels(object.path("metadata").path("labels")));
                } catch (IllegalArgumentException e) {
                    // The API server validates selectors at write time; a stored bad one is a failed call.
                    if (ignore) {
                        LOG.warnf("webhook %s skipped (failurePolicy Ignore): %s", name, e.getMessage());
                        continue;
                    }
                    return failed(name, e.getMessage());
                }
                if (!applies) {
                    continue;
                }
                JsonNode response;
                try {
                    response = call(webhook, name, request, object);
                } catch (CallFailedException e) {
                    if (ignore) {
                        LOG.warnf("failed calling webhook %s, ignored (failurePolicy Ignore): %s", name,
                                e.getMessage());
                        continue;
                    }
                    return failed(name, e.getMessage());
                }
                if (!response.path("allowed").asBoolean(false)) {
                    JsonNode status = response.path("status");
                    int code = status.path("code").asInt(0);
                    String message = status.path("message").asText("");
                    return new Outcome.Rejected(code >= 400 ? code : 400, "admission webhook \"" + name
                            + "\" denied the request" + (message.isEmpty() ? "" : ": " + message));
                }
                String patch = response.path("patch").asText("");
                if (!patch.isEmpty()) {
                    try {
                        object = applyPatch(response, patch, object);
                    } catch (CallFailedException e) {
                        if (ignore) {
                            LOG.warnf("webhook %s's patch ignored (failurePolicy Ignore): %s", name, e.getMessage());
                            continue;
                        }
                        return failed(name, e.getMessage());
                    }
                    patchedBy.add(name);
                }
            }
        }
        return new Outcome.Admitted(object, List.copyOf(patchedBy));
    }

    private static Outcome failed(String webhook, String why) {
        return new Outcome.Rejected(500, "Internal error occurred: failed calling webhook \"" + webhook + "\": "
                + why);
    }

    /**
     * The namespace's labels as the API server sees them: it always carries {@code kubernetes.io/metadata.name}
     * (the API server sets it on every Namespace), which selectors such as "not the mesh's namespace" rely on.
     */
    static Map<String, String> namespaceLabels(String name, JsonNode namespace) {
        Map<String, String> labels = namespace == null ? new java.util.LinkedHashMap<>()
                : LabelSelectors.labels(namespace.path("metadata").path("labels"));
        if (name != null) {
            labels.put(METADATA_NAME_LABEL, name);
        }
        return labels;
    }

    static boolean rulesMatch(JsonNode rules, Request request) {
        for (JsonNode rule : rules) {
            if (listHas(rule.path("operations"), request.operation())
                    && listHas(rule.path("apiGroups"), request.group())
                    && listHas(rule.path("apiVersions"), request.version())
                    && resourceMatches(rule.path("resources"), request.resource())
                    && scopeMatches(rule.path("scope").asText("*"), request.namespace() != null)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listHas(JsonNode list, String value) {
        for (JsonNode item : list) {
            if (item.asText().equals("*") || item.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** {@code pods} and {@code *} match the resource itself; {@code pods/*} and {@code * / *} only subresources. */
    private static boolean resourceMatches(JsonNode resources, String resource) {
        for (JsonNode item : resources) {
            String r = item.asText();
            if (r.equals("*") || r.equals(resource)) {
                return true;
            }
        }
        return false;
    }

    private static boolean scopeMatches(String scope, boolean namespaced) {
        return switch (scope) {
            case "Namespaced" -> namespaced;
            case "Cluster" -> !namespaced;
            default -> true;
        };
    }

    private JsonNode call(JsonNode webhook, String name, Request request, JsonNode object) {
        boolean v1 = false;
        for (JsonNode version : webhook.path("admissionReviewVersions")) {
            v1 |= version.asText().equals("v1");
        }
        if (!v1) {
            throw new CallFailedException("the webhook accepts no AdmissionReview version this API server sends"
                    + " (admissionReviewVersions " + webhook.path("admissionReviewVersions") + ", sent: v1)");
        }
        int timeoutSeconds = webhook.path("timeoutSeconds").asInt(DEFAULT_TIMEOUT_SECONDS);
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new CallFailedException("timeoutSeconds " + timeoutSeconds + " is outside 1.."
                    + MAX_TIMEOUT_SECONDS);
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Target target = target(webhook.path("clientConfig"), timeout);
        String uid = UUID.randomUUID().toString();
        byte[] body = review(uid, request, object);
        String caBundle = webhook.path("clientConfig").path("caBundle").asText("");
        HttpsPost.Response response;
        try {
            response = new HttpsPost(WebhookTls.context(caBundle)).post(target.address(), target.serverName(),
                    target.pathAndQuery(), body, timeout);
        } catch (IOException | IllegalArgumentException e) {
            throw new CallFailedException("failed to call webhook: Post \"" + target.display() + "\": "
                    + e.getMessage());
        }
        if (response.status() != 200) {
            throw new CallFailedException("the webhook answered HTTP " + response.status() + ": "
                    + abbreviate(new String(response.body(), StandardCharsets.UTF_8)));
        }
        JsonNode review;
        try {
            review = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CallFailedException("the webhook's answer is not JSON: " + e.getMessage());
        }
        JsonNode answer = review == null ? null : review.get("response");
        if (answer == null || !answer.isObject()) {
            throw new CallFailedException("the webhook's AdmissionReview has no response");
        }
        if (!uid.equals(answer.path("uid").asText())) {
            throw new CallFailedException("expected response.uid=\"" + uid + "\", got \""
                    + answer.path("uid").asText() + "\"");
        }
        return answer;
    }

    private static JsonNode applyPatch(JsonNode response, String patch, JsonNode object) {
        String type = response.path("patchType").asText("");
        if (!type.equals("JSONPatch")) {
            throw new CallFailedException("the webhook returned a patch of type \"" + type
                    + "\"; only JSONPatch is supported");
        }
        try {
            JsonNode ops = JSON.readTree(Base64.getDecoder().decode(patch));
            if (ops == null || !ops.isArray()) {
                throw new CallFailedException("the webhook's patch is not a JSON array");
            }
            return JsonPatch.apply(object, ops);
        } catch (IOException | IllegalArgumentException e) {
            throw new CallFailedException("the webhook's patch cannot be applied: " + e.getMessage());
        }
    }

    private record Target(InetSocketAddress address, String serverName, String pathAndQuery, String display) {
    }

    private Target target(JsonNode clientConfig, Duration timeout) {
        String query = "?timeout=" + timeout.toSeconds() + "s";
        if (clientConfig.hasNonNull("url")) {
            URI url;
            try {
                url = new URI(clientConfig.get("url").asText());
            } catch (URISyntaxException e) {
                throw new CallFailedException("clientConfig.url is not a URL: " + e.getMessage());
            }
            if (!"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new CallFailedException("clientConfig.url \"" + url + "\" is not an https URL with a host");
            }
            int port = url.getPort() > 0 ? url.getPort() : 443;
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            return new Target(new InetSocketAddress(url.getHost(), port), url.getHost(), path + query,
                    "https://" + url.getHost() + ":" + port + path + query);
        }
        JsonNode service = clientConfig.path("service");
        String name = service.path("name").asText("");
        String ns = service.path("namespace").asText("");
        if (name.isEmpty() || ns.isEmpty()) {
            throw new CallFailedException("clientConfig has neither url nor service with name and namespace");
        }
        int port = service.path("port").asInt(443);
        String path = service.path("path").asText("/");
        String host = name + "." + ns + ".svc";
        InetSocketAddress address = services.resolve(ns, name, port).orElseThrow(() -> new CallFailedException(
                "service \"" + ns + "/" + name + "\" has no ready endpoint for port " + port));
        return new Target(address, host, path + query, "https://" + host + ":" + port + path + query);
    }

    private static byte[] review(String uid, Request request, JsonNode object) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode r = review.putObject("request");
        r.put("uid", uid);
        r.putObject("kind").put("group", request.group()).put("version", request.version())
                .put("kind", request.kind());
        r.putObject("resource").put("group", request.group()).put("version", request.version())
                .put("resource", request.resource());
        r.set("requestKind", r.get("kind").deepCopy());
        r.set("requestResource", r.get("resource").deepCopy());
        String name = object.path("metadata").path("name").asText("");
        if (!name.isEmpty()) {
            r.put("name", name);
        }
        if (request.namespace() != null) {
            r.put("namespace", request.namespace());
        }
        r.put("operation", request.operation());
        r.putObject("userInfo").put("username", request.username() == null ? "system:anonymous"
                : request.username());
        r.set("object", object);
        r.set("oldObject", request.oldObject());
        r.put("dryRun", false);
        r.putObject("options").put("apiVersion", "meta.k8s.io/v1")
                .put("kind", request.operation().equals("CREATE") ? "CreateOptions" : "UpdateOptions");
        try {
            return JSON.writeValueAsBytes(review);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an AdmissionReview", e);
        }
    }

    private static String abbreviate(String text) {
        String line = text.strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** The call did not produce a usable answer; subject to the webhook's failurePolicy. */
    static final class CallFailedException extends RuntimeException {
        CallFailedException(String message) {
            super(message);
        }
    }
}
