package dev.mesh.injector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.injection.JsonPatch;
import dev.mesh.injection.Yaml;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring end to end over real HTTPS on loopback, against fabric8's mock API server: the client
 * trusts only the CA the webhook wrote into its MutatingWebhookConfiguration; the patches it returns, applied,
 * give the golden pods of {@code libs/injection}; bad requests get 415 and 400; fuzzed reviews never a 5xx.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = WebhookHttpsTest.Cluster.class)
class WebhookHttpsTest {

    static final Path GOLDEN = Path.of("../../libs/injection/src/test/resources/testdata/inject");
    static final ObjectMapper JSON = new ObjectMapper();

    @KubernetesTestServer
    KubernetesServer cluster;

    @Inject
    WebhookLifecycle webhook;

    Vertx vertx;
    HttpClient client;

    /** The namespaces of the golden cases that use the default values, and the webhook's own configuration. */
    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            Set<String> made = new HashSet<>();
            for (Case c : cases()) {
                if (made.add(c.namespace)) {
                    server.getClient().namespaces().resource(new NamespaceBuilder().withNewMetadata()
                            .withName(c.namespace).withLabels(c.labels).endMetadata().build()).create();
                }
            }
            server.getClient().admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                    new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("injector-webhook")
                            .endMetadata().addNewWebhook().withName("sidecar-injector.mesh.dev")
                            .withNewClientConfig().withNewService().withName("injector-webhook")
                            .withNamespace("istio-system").withPath("/inject").endService().endClientConfig()
                            .withAdmissionReviewVersions("v1").withSideEffects("None").endWebhook().build())
                    .create();
        }
    }

    record Case(String name, String namespace, Map<String, String> labels, JsonNode pod, JsonNode golden) {
    }

    /** The golden cases that run with the default injection values (the webhook has one set of values). */
    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        try (var files = Files.list(GOLDEN)) {
            for (Path input : files.sorted().toList()) {
                String file = input.getFileName().toString();
                if (file.endsWith(".golden.yaml") || !file.endsWith(".yaml")) {
                    continue;
                }
                JsonNode in = Yaml.readAll(Files.readString(input)).get(0);
                if (in.has("template")) {
                    continue;
                }
                String name = file.substring(0, file.length() - ".yaml".length());
                JsonNode golden = Yaml.readAll(Files.readString(GOLDEN.resolve(name + ".golden.yaml"))).get(0);
                Map<String, String> labels = JSON.convertValue(in.path("namespaceLabels"), Map.class);
                cases.add(new Case(name, in.get("namespace").asText(), labels, in.get("pod"), golden));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    @BeforeEach
    void connect() {
        MutatingWebhookConfiguration configuration = cluster.getClient().admissionRegistration().v1()
                .mutatingWebhookConfigurations().withName("injector-webhook").get();
        String caBundle = configuration.getWebhooks().get(0).getClientConfig().getCaBundle();
        vertx = Vertx.vertx();
        client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Base64.getDecoder().decode(caBundle))))
                .setDefaultHost("127.0.0.1").setDefaultPort(webhook.port()));
    }

    @AfterEach
    void disconnect() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    Answer send(HttpMethod method, String path, String contentType, Buffer body) throws Exception {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(path);
        if (contentType != null) {
            options.putHeader("Content-Type", contentType);
        }
        return client.request(options)
                .compose(req -> (body == null ? req.send() : req.send(body))
                        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString()))))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    Answer review(JsonNode review) throws Exception {
        return send(HttpMethod.POST, "/inject", "application/json", Buffer.buffer(JSON.writeValueAsBytes(review)));
    }

    static ObjectNode reviewOf(String uid, String namespace, JsonNode pod) {
        ObjectNode review = JsonNodeFactory.instance.objectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", namespace).put("operation", "CREATE");
        request.set("object", pod);
        return review;
    }

    @Test
    void caBundle_isWrittenAtStart_andTheClientTrustsOnlyIt() throws Exception {
        String caBundle = cluster.getClient().admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("injector-webhook").get().getWebhooks().get(0).getClientConfig().getCaBundle();
        assertThat(new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII))
                .isEqualTo(webhook.caPem());
        assertThat(send(HttpMethod.GET, "/healthz/ready", null, null)).isEqualTo(new Answer(200, "ok\n"));
    }

    @Test
    void ca_isKeptInASecret_forTheOtherReplicas() {
        var secret = cluster.getClient().secrets().inNamespace("istio-system").withName("injector-webhook-ca").get();
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("ca-cert.pem")),
                StandardCharsets.US_ASCII)).isEqualTo(webhook.caPem());
    }

    @Test
    void everyGoldenCase_getsItsGoldenAnswer_andThePatchAppliedIsTheGoldenPod() throws Exception {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(10);
        for (Case c : cases) {
            JsonNode response = review(reviewOf("uid-" + c.name, c.namespace, c.pod)).json().get("response");
            assertThat(response.get("uid").asText()).as(c.name).isEqualTo("uid-" + c.name);
            switch (c.golden.get("outcome").asText()) {
                case "INJECTED" -> {
                    assertThat(response.get("allowed").asBoolean()).as(c.name).isTrue();
                    assertThat(response.get("patchType").asText()).as(c.name).isEqualTo("JSONPatch");
                    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
                    assertThat(patch).as(c.name).isEqualTo(c.golden.get("patch"));
                    assertThat(JsonPatch.apply(c.pod, patch)).as(c.name).isEqualTo(c.golden.get("pod"));
                }
                case "SKIPPED" -> {
                    assertThat(response.get("allowed").asBoolean()).as(c.name).isTrue();
                    assertThat(response.has("patch")).as(c.name).isFalse();
                }
                case "REFUSED" -> {
                    assertThat(response.get("allowed").asBoolean()).as(c.name).isFalse();
                    assertThat(response.at("/status/message").asText()).as(c.name)
                            .isEqualTo("sidecar injection refused: " + c.golden.get("message").asText());
                }
                default -> throw new AssertionError(c.name);
            }
        }
    }

    @Test
    void wrongContentType_gets415() throws Exception {
        Answer a = send(HttpMethod.POST, "/inject/", "text/plain", Buffer.buffer("{}"));
        assertThat(a.status()).isEqualTo(415);
        assertThat(a.body()).contains("application/json").contains("text/plain");
    }

    @Test
    void oversizedBody_gets400() throws Exception {
        Buffer big = Buffer.buffer("{\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");
        Answer a = send(HttpMethod.POST, "/inject", "application/json", big);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).contains("more than the limit of 1048576");
    }

    @Test
    void malformedBody_gets400WithAMessage() throws Exception {
        Answer a = send(HttpMethod.POST, "/inject", "application/json", Buffer.buffer("{\"request\": "));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).startsWith("the body is not JSON");
    }

    @Test
    void thousandFuzzedReviews_getWellFormedAnswers_andNo5xx() throws Exception {
        Random random = new Random(20261126);
        List<Case> cases = cases();
        int ok = 0;
        for (int i = 0; i < 1000; i++) {
            Case c = cases.get(random.nextInt(cases.size()));
            byte[] body = Fuzz.mutate(random, reviewOf("fuzz-" + i, c.namespace, c.pod.deepCopy()));
            Answer a = send(HttpMethod.POST, i % 2 == 0 ? "/inject" : "/inject/", "application/json",
                    Buffer.buffer(body));
            assertThat(a.status()).as("review %d: %s", i, new String(body, StandardCharsets.UTF_8)).isIn(200, 400);
            if (a.status() == 400) {
                assertThat(a.body()).as("review %d", i).isNotBlank();
                continue;
            }
            ok++;
            JsonNode answer = a.json();
            assertThat(answer.get("kind").asText()).isEqualTo("AdmissionReview");
            assertThat(answer.get("apiVersion").asText()).startsWith("admission.k8s.io/");
            JsonNode response = answer.get("response");
            assertThat(response.get("uid").isTextual()).as("review %d", i).isTrue();
            assertThat(response.get("allowed").isBoolean()).as("review %d", i).isTrue();
            if (response.has("patch")) {
                assertThat(response.get("patchType").asText()).isEqualTo("JSONPatch");
                JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
                JsonNode pod = JSON.readTree(body).at("/request/object");
                assertThat(JsonPatch.apply(pod, patch).at("/spec/containers").toString()).contains("istio-proxy");
            }
        }
        assertThat(ok).as("fuzzed reviews answered with an AdmissionReview").isGreaterThan(300);
    }

    /** Mutations of a valid review: type swaps, deletions, odd values, truncation, noise. */
    static final class Fuzz {
        private static final JsonNodeFactory N = JsonNodeFactory.instance;

        static byte[] mutate(Random random, ObjectNode review) throws IOException {
            int strategy = random.nextInt(10);
            if (strategy == 0) {
                byte[] noise = new byte[random.nextInt(200)];
                random.nextBytes(noise);
                return noise;
            }
            if (strategy == 1) {
                byte[] text = JSON.writeValueAsBytes(review);
                return java.util.Arrays.copyOf(text, random.nextInt(text.length));
            }
            if (strategy == 2) {
                ObjectNode annotations = review.with("request").with("object").with("metadata").with("annotations");
                String[] keys = {"traffic.sidecar.istio.io/includeOutboundIPRanges",
                        "traffic.sidecar.istio.io/excludeInboundPorts", "sidecar.istio.io/inject",
                        "sidecar.istio.io/nativeSidecar", "sidecar.istio.io/status", "prometheus.io/scrape"};
                annotations.set(keys[random.nextInt(keys.length)], randomValue(random));
            }
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                List<JsonNode> containers = new ArrayList<>();
                collect(review, containers);
                JsonNode target = containers.get(random.nextInt(containers.size()));
                if (target instanceof ObjectNode o && o.size() > 0) {
                    List<String> keys = new ArrayList<>();
                    o.fieldNames().forEachRemaining(keys::add);
                    String key = keys.get(random.nextInt(keys.size()));
                    if (random.nextInt(3) == 0) {
                        o.remove(key);
                    } else {
                        o.set(key, randomValue(random));
                    }
                } else if (target instanceof ArrayNode a && a.size() > 0) {
                    a.set(random.nextInt(a.size()), randomValue(random));
                }
            }
            return JSON.writeValueAsBytes(review);
        }

        private static void collect(JsonNode node, List<JsonNode> out) {
            if (node.isContainerNode()) {
                out.add(node);
                for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                    collect(it.next(), out);
                }
            }
        }

        private static JsonNode randomValue(Random random) {
            return switch (random.nextInt(9)) {
                case 0 -> N.nullNode();
                case 1 -> N.numberNode(random.nextInt(100000) - 50000);
                case 2 -> N.booleanNode(random.nextBoolean());
                case 3 -> N.textNode("");
                case 4 -> N.textNode("*");
                case 5 -> N.textNode("10.0.0.0/8,::1/128," + random.nextInt(70000));
                case 6 -> N.arrayNode().add(random.nextInt(3)).addNull().add("x");
                case 7 -> N.objectNode().put("name", "istio-proxy").putNull("spec");
                default -> N.textNode(Long.toString(random.nextLong(), 36) + "/\u00e9\u0000~");
            };
        }
    }
}
