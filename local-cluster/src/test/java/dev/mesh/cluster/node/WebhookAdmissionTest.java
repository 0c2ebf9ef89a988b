package dev.mesh.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission through the real injector-webhook, its packaged jar run as a process against a mock API server, with
 * the MutatingWebhookConfiguration the Helm chart installs (the webhook writes its caBundle into it at start).
 */
class WebhookAdmissionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBHOOK = "sidecar-injector.mesh.dev";

    private static KubernetesMockServer server;
    private static KubernetesClient client;
    private static TestProcess injector;
    private static int injectorPort;
    private static JsonNode configuration;

    @BeforeAll
    static void startInjector() throws Exception {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), true);
        server.init();
        client = server.createClient();
        namespace("istio-system", Map.of());
        namespace("demo", Map.of("istio-injection", "enabled"));
        namespace("plain", Map.of());
        client.resource(Serialization.unmarshal(chartWebhookConfiguration("Fail", 10),
                MutatingWebhookConfiguration.class)).create();
        Path dir = Path.of("target", "webhook-admission-test");
        Files.createDirectories(dir);
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: test, user: {token: test}}]
                contexts: [{name: mock, context: {cluster: mock, user: test}}]
                current-context: mock
                """.formatted(client.getMasterUrl()));
        injectorPort = TestProcess.freePort();
        injector = TestProcess.startJar("injector-webhook",
                TestProcess.root().resolve("services/injector-webhook/target/quarkus-app/quarkus-run.jar"),
                Map.of("KUBECONFIG", kubeconfig.toAbsolutePath().toString(),
                        "MESH_INJECTOR_WEBHOOK_PORT", Integer.toString(injectorPort),
                        "MESH_INJECTOR_METRICS_PORT", Integer.toString(TestProcess.freePort()),
                        "MESH_INJECTOR_TEMPLATE_FILE", dir.resolve("no-values.yaml").toAbsolutePath().toString()),
                dir);
        injector.awaitPort(injectorPort, Duration.ofSeconds(60));
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            configuration = stored();
            if (!configuration.path("webhooks").path(0).path("clientConfig").path("caBundle").asText().isEmpty()) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the webhook wrote no caBundle:\n" + injector.log());
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (injector != null) {
            injector.close();
        }
        client.close();
        server.destroy();
    }

    private static void namespace(String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    private static JsonNode stored() {
        return JSON.valueToTree(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("injector-webhook").get());
    }

    /** The chart's MutatingWebhookConfiguration (deploy/charts/mesh/templates/injector-webhook.yaml). */
    private static String chartWebhookConfiguration(String failurePolicy, int timeoutSeconds) {
        return """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: injector-webhook}
                webhooks:
                  - name: %s
                    admissionReviewVersions: [v1]
                    sideEffects: None
                    failurePolicy: %s
                    timeoutSeconds: %d
                    reinvocationPolicy: Never
                    clientConfig:
                      service: {name: injector-webhook, namespace: istio-system, port: 443, path: /inject}
                    rules:
                      - {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods], scope: Namespaced}
                    namespaceSelector:
                      matchExpressions:
                        - {key: istio-injection, operator: In, values: [enabled]}
                        - {key: kubernetes.io/metadata.name, operator: NotIn, values: ["istio-system"]}
                    objectSelector:
                      matchExpressions:
                        - {key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}
                """.formatted(WEBHOOK, failurePolicy, timeoutSeconds);
    }

    /** Resolves the webhook's Service to the process on loopback, as the local cluster's override map does. */
    private static WebhookAdmission admission() {
        return new WebhookAdmission(new ServiceEndpoints(client, Map.of(
                ServiceEndpoints.key("istio-system", "injector-webhook", 443),
                new InetSocketAddress("127.0.0.1", injectorPort))));
    }

    private static ObjectNode pod(String namespace, Map<String, String> labels, Map<String, String> annotations) {
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode metadata = pod.putObject("metadata").put("name", "podinfo-1").put("namespace", namespace);
        labels.forEach(metadata.putObject("labels")::put);
        annotations.forEach(metadata.putObject("annotations")::put);
        pod.putObject("spec").putArray("containers").addObject().put("name", "podinfo")
                .put("image", "ghcr.io/stefanprodan/podinfo:6.7.1");
        return pod;
    }

    private static JsonNode namespaceObject(String name) {
        return JSON.valueToTree(client.namespaces().withName(name).get());
    }

    private static WebhookAdmission.Outcome admit(WebhookAdmission admission, JsonNode pod, String ns,
            JsonNode... configurations) {
        return admission.admit(WebhookAdmission.Request.podCreate(pod, ns, "kubernetes-admin"), namespaceObject(ns),
                List.of(configurations));
    }

    private static List<String> containers(JsonNode pod, String list) {
        List<String> names = new ArrayList<>();
        pod.path("spec").path(list).forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    @Test
    void podInLabelledNamespace_isInjectedByTheRealWebhook() {
        var outcome = admit(admission(), pod("demo", Map.of("app", "podinfo"), Map.of()), "demo", configuration);
        assertThat(outcome).isInstanceOf(WebhookAdmission.Outcome.Admitted.class);
        var admitted = (WebhookAdmission.Outcome.Admitted) outcome;
        assertThat(admitted.patchedBy()).containsExactly(WEBHOOK);
        assertThat(containers(admitted.object(), "containers")).containsExactly("podinfo", "istio-proxy");
        assertThat(containers(admitted.object(), "initContainers")).containsExactly("istio-init");
        assertThat(admitted.object().path("metadata").path("labels").path("security.istio.io/tlsMode").asText())
                .isEqualTo("istio");
    }

    @Test
    void podInUnlabelledNamespace_isNotSentToTheWebhook() {
        // The webhook would answer "allowed, no patch" too; a service that resolves nowhere proves it is not called.
        WebhookAdmission unreachable = new WebhookAdmission((ns, name, port) -> Optional.empty());
        ObjectNode pod = pod("plain", Map.of("app", "podinfo"), Map.of());
        var outcome = admit(unreachable, pod, "plain", configuration);
        assertThat(outcome).isEqualTo(new WebhookAdmission.Outcome.Admitted(pod, List.of()));
    }

    @Test
    void podOptingOutByLabel_isNotSentToTheWebhook() {
        WebhookAdmission unreachable = new WebhookAdmission((ns, name, port) -> Optional.empty());
        ObjectNode pod = pod("demo", Map.of("sidecar.istio.io/inject", "false"), Map.of());
        assertThat(admit(unreachable, pod, "demo", configuration))
                .isEqualTo(new WebhookAdmission.Outcome.Admitted(pod, List.of()));
    }

    @Test
    void meshNamespace_isNeverSentToTheWebhook_evenWhenLabelled() {
        // kubernetes.io/metadata.name is set by the API server on every namespace; the selector relies on it.
        ObjectNode ns = JSON.createObjectNode();
        ns.putObject("metadata").put("name", "istio-system").putObject("labels").put("istio-injection", "enabled");
        WebhookAdmission unreachable = new WebhookAdmission((n, name, port) -> Optional.empty());
        ObjectNode pod = pod("istio-system", Map.of(), Map.of());
        assertThat(unreachable.admit(WebhookAdmission.Request.podCreate(pod, "istio-system", "admin"), ns,
                List.of(configuration))).isEqualTo(new WebhookAdmission.Outcome.Admitted(pod, List.of()));
    }

    @Test
    void webhookDenial_rejectsWithItsMessage() {
        var outcome = admit(admission(), pod("demo", Map.of(),
                Map.of("traffic.sidecar.istio.io/excludeInboundPorts", "eighty")), "demo", configuration);
        assertThat(outcome).isInstanceOf(WebhookAdmission.Outcome.Rejected.class);
        var rejected = (WebhookAdmission.Outcome.Rejected) outcome;
        assertThat(rejected.code()).isEqualTo(400);
        assertThat(rejected.message()).startsWith("admission webhook \"" + WEBHOOK + "\" denied the request: ")
                .contains("excludeInboundPorts");
    }

    @Test
    void caBundleThatDidNotSignTheServer_failsTheCall_underFail_andIsSkipped_underIgnore() throws Exception {
        ObjectNode wrongCa = (ObjectNode) configuration.deepCopy();
        // Another CA: the API server's own test CA from the fabric8 mock is as good as any.
        String otherCa = java.util.Base64.getEncoder().encodeToString(selfSignedPem().getBytes());
        ((ObjectNode) wrongCa.path("webhooks").path(0).path("clientConfig")).put("caBundle", otherCa);
        var outcome = admit(admission(), pod("demo", Map.of(), Map.of()), "demo", wrongCa);
        assertThat(outcome).isInstanceOf(WebhookAdmission.Outcome.Rejected.class);
        assertThat(((WebhookAdmission.Outcome.Rejected) outcome).message())
                .startsWith("Internal error occurred: failed calling webhook \"" + WEBHOOK + "\": failed to call"
                        + " webhook: Post \"https://injector-webhook.istio-system.svc:443/inject?timeout=10s\"");
        ((ObjectNode) wrongCa.path("webhooks").path(0)).put("failurePolicy", "Ignore");
        ObjectNode pod = pod("demo", Map.of(), Map.of());
        assertThat(admit(admission(), pod, "demo", wrongCa))
                .isEqualTo(new WebhookAdmission.Outcome.Admitted(pod, List.of()));
    }

    @Test
    void certificateForAnotherServiceName_failsTheCall() {
        // The same server reached as service "impostor": its certificate names injector-webhook.istio-system.svc.
        ObjectNode renamed = (ObjectNode) configuration.deepCopy();
        ((ObjectNode) renamed.path("webhooks").path(0).path("clientConfig").path("service")).put("name", "impostor");
        WebhookAdmission admission = new WebhookAdmission((ns, name, port) ->
                Optional.of(new InetSocketAddress("127.0.0.1", injectorPort)));
        var outcome = admit(admission, pod("demo", Map.of(), Map.of()), "demo", renamed);
        assertThat(outcome).isInstanceOf(WebhookAdmission.Outcome.Rejected.class);
        assertThat(((WebhookAdmission.Outcome.Rejected) outcome).message()).contains("impostor.istio-system.svc")
                .containsIgnoringCase("subject alternative");
    }

    @Test
    void serviceWithoutEndpoint_failsTheCall() {
        ObjectNode elsewhere = (ObjectNode) configuration.deepCopy();
        ((ObjectNode) elsewhere.path("webhooks").path(0).path("clientConfig").path("service")).put("namespace",
                "plain");
        var outcome = admit(new WebhookAdmission(new ServiceEndpoints(client, Map.of())),
                pod("demo", Map.of(), Map.of()), "demo", elsewhere);
        assertThat(outcome).isEqualTo(new WebhookAdmission.Outcome.Rejected(500, "Internal error occurred: failed"
                + " calling webhook \"" + WEBHOOK + "\": service \"plain/injector-webhook\" has no ready"
                + " endpoint for port 443"));
    }

    @Test
    void serviceIsResolvedThroughItsReadyEndpointSlice() {
        client.services().inNamespace("istio-system").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("injector-webhook").endMetadata().withNewSpec()
                .addNewPort().withName("https-webhook").withPort(443)
                .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString(15017)).endPort().endSpec().build())
                .create();
        client.discovery().v1().endpointSlices().inNamespace("istio-system").resource(
                new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata()
                        .withName("injector-webhook-abcde").addToLabels("kubernetes.io/service-name", "injector-webhook")
                        .endMetadata().withAddressType("IPv4")
                        .addNewEndpoint().withAddresses("127.0.0.2").withNewConditions().withReady(false)
                        .endConditions().endEndpoint()
                        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true)
                        .endConditions().endEndpoint()
                        .addNewPort().withName("https-webhook").withPort(injectorPort).endPort().build()).create();
        ServiceEndpoints endpoints = new ServiceEndpoints(client, Map.of());
        assertThat(endpoints.resolve("istio-system", "injector-webhook", 443))
                .contains(new InetSocketAddress("127.0.0.1", injectorPort));
        assertThat(endpoints.resolve("istio-system", "injector-webhook", 8443)).isEmpty();
        var outcome = admit(new WebhookAdmission(endpoints), pod("demo", Map.of(), Map.of()), "demo", configuration);
        assertThat(outcome).isInstanceOf(WebhookAdmission.Outcome.Admitted.class);
        assertThat(((WebhookAdmission.Outcome.Admitted) outcome).patchedBy()).containsExactly(WEBHOOK);
    }

    @Test
    void webhookThatDoesNotAnswer_failsAfterTimeoutSeconds() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    held.forEach(s -> {
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // closing a socket the test held open
                        }
                    });
                }
            });
            acceptor.start();
            ObjectNode slow = (ObjectNode) configuration.deepCopy();
            ((ObjectNode) slow.path("webhooks").path(0)).put("timeoutSeconds", 1);
            WebhookAdmission admission = new WebhookAdmission((ns, name, port) ->
                    Optional.of(new InetSocketAddress("127.0.0.1", silent.getLocalPort())));
            long start = System.nanoTime();
            var outcome = admit(admission, pod("demo", Map.of(), Map.of()), "demo", slow);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(outcome).isInstanceOf(WebhookAdmission.Outcome.Rejected.class);
            assertThat(((WebhookAdmission.Outcome.Rejected) outcome).message()).contains("within 1s");
            assertThat(tookMs).isBetween(900L, 3000L);
        }
    }

    @Test
    void rules_selectOperationAndResource() {
        JsonNode rules = configuration.path("webhooks").path(0).path("rules");
        JsonNode pod = pod("demo", Map.of(), Map.of());
        assertThat(WebhookAdmission.rulesMatch(rules, WebhookAdmission.Request.podCreate(pod, "demo", "u"))).isTrue();
        assertThat(WebhookAdmission.rulesMatch(rules, new WebhookAdmission.Request("", "v1", "Pod", "pods",
                "UPDATE", "demo", pod, pod, "u"))).isFalse();
        assertThat(WebhookAdmission.rulesMatch(rules, new WebhookAdmission.Request("", "v1", "Service",
                "services", "CREATE", "demo", pod, null, "u"))).isFalse();
        assertThat(WebhookAdmission.rulesMatch(rules, new WebhookAdmission.Request("apps", "v1", "Deployment",
                "pods", "CREATE", "demo", pod, null, "u"))).isFalse();
    }

    private static String selfSignedPem() throws Exception {
        var generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        var key = generator.generateKeyPair();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=other-ca");
        var now = new java.util.Date();
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE,
                now, new java.util.Date(now.getTime() + 3_600_000L), name, key.getPublic());
        var signer = new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                .build(key.getPrivate());
        var cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(signer));
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }
}
