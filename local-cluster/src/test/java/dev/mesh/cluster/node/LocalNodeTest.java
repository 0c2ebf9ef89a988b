package dev.mesh.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local kubelet end to end, as root: pods admitted through the real injector-webhook (its packaged jar as a
 * process; the test plays the API server's create path with {@link WebhookAdmission}), run in network namespaces
 * on the node's bridge with the real gateway-proxy as sidecar (config from the real config-distributor on the
 * host) and the podinfo-app as the app; then everything is gone after close.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalNodeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POD_READY = Duration.ofSeconds(45);

    private static KubernetesMockServer server;
    private static KubernetesClient client;
    private static final List<TestProcess> processes = new ArrayList<>();
    private static LocalNode node;
    private static WebhookAdmission admission;
    private static NodeOptions options;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startCluster() throws Exception {
        if (HostCommands.effectiveUid() != 0) {
            String why = "LocalNodeTest needs root: pods run in Linux network namespaces (run the tests as root,"
                    + " as CI does)";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why + "; CI=true, so this is a failure, not a skip");
            }
            Assumptions.abort(why);
        }
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), true);
        server.init();
        client = server.createClient();
        Path root = TestProcess.root();
        try (var files = Files.list(root.resolve("deploy/charts/mesh/crds"))) {
            for (Path file : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    client.apiextensions().v1().customResourceDefinitions()
                            .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
                }
            }
        }
        namespace("istio-system", Map.of());
        namespace("demo", Map.of("istio-injection", "enabled"));
        namespace("plain", Map.of());
        // What citadel-ca publishes in every namespace; the injected pod mounts it.
        client.configMaps().inNamespace("demo").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("istio-ca-root-cert").endMetadata().addToData("root-cert.pem", "test root\n").build())
                .create();
        client.resource(Serialization.unmarshal(webhookConfiguration(), MutatingWebhookConfiguration.class)).create();

        Path dir = Path.of("target", "local-node-test").toAbsolutePath();
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
        int xdsPort = TestProcess.freePort();
        int webhookPort = TestProcess.freePort();
        Path values = dir.resolve("injector-values.yaml");
        // Plaintext xDS: the proxy's ADS client does not speak the mTLS port yet.
        Files.writeString(values, "xdsAddress: config-distributor.istio-system.svc:" + xdsPort + "\n");
        TestProcess distributor = TestProcess.startJar("config-distributor",
                root.resolve("services/config-distributor/target/quarkus-app/quarkus-run.jar"),
                Map.of("KUBECONFIG", kubeconfig.toString(),
                        "MESH_DISTRIBUTOR_XDS_PORT", Integer.toString(xdsPort),
                        "MESH_DISTRIBUTOR_XDS_TLS_PORT", Integer.toString(TestProcess.freePort()),
                        "MESH_DISTRIBUTOR_HTTP_PORT", Integer.toString(TestProcess.freePort())), dir);
        processes.add(distributor);
        TestProcess injector = TestProcess.startJar("injector-webhook",
                root.resolve("services/injector-webhook/target/quarkus-app/quarkus-run.jar"),
                Map.of("KUBECONFIG", kubeconfig.toString(),
                        "MESH_INJECTOR_WEBHOOK_PORT", Integer.toString(webhookPort),
                        "MESH_INJECTOR_METRICS_PORT", Integer.toString(TestProcess.freePort()),
                        "MESH_INJECTOR_TEMPLATE_FILE", values.toString()), dir);
        processes.add(injector);

        options = NodeOptions.defaults(root);
        leaveCrashLeftovers();
        node = LocalNode.start(client, LocalNodeTest::token, options.withHostAliases(Map.of(
                "config-distributor.istio-system.svc", "10.244.0.1")));
        admission = new WebhookAdmission(new ServiceEndpoints(client, Map.of(
                ServiceEndpoints.key("istio-system", "injector-webhook", 443),
                new InetSocketAddress("127.0.0.1", webhookPort))));
        injector.awaitPort(webhookPort, Duration.ofSeconds(60));
        distributor.awaitPort(xdsPort, Duration.ofSeconds(60));
        await(Duration.ofSeconds(20), "the webhook's caBundle", () -> !JSON.valueToTree(client.admissionRegistration()
                .v1().mutatingWebhookConfigurations().withName("injector-webhook").get()).path("webhooks").path(0)
                .path("clientConfig").path("caBundle").asText().isEmpty());
    }

    private static final String LEFTOVER_NETNS = NodeNetwork.NETNS_PREFIX + "4000";
    private static final String LEFTOVER_VETH = NodeNetwork.VETH_PREFIX + "4000";
    private static Process leftoverInNamespace;
    private static Process leftoverOnHost;

    /**
     * What a node killed with SIGKILL leaves: a pod namespace with a process in it, its veth, the bridge, and in
     * the state file a container process and a mount point it made.
     */
    private static void leaveCrashLeftovers() throws Exception {
        HostCommands.run(List.of("ip", "netns", "add", LEFTOVER_NETNS));
        HostCommands.run(List.of("ip", "link", "add", LEFTOVER_VETH, "type", "veth", "peer", "name", "eth0",
                "netns", LEFTOVER_NETNS));
        if (!NodeNetwork.linkExists(options.bridge())) {
            HostCommands.run(List.of("ip", "link", "add", options.bridge(), "type", "bridge"));
        }
        leftoverInNamespace = new ProcessBuilder("ip", "netns", "exec", LEFTOVER_NETNS, "sleep", "600").start();
        leftoverOnHost = new ProcessBuilder("sleep", "600").start();
        Path mountPoint = Path.of("/run/mesh-node-test-leftover");
        Files.createDirectories(mountPoint);
        Files.createDirectories(options.runDir());
        Files.writeString(options.runDir().resolve("node-state.json"), JSON.createObjectNode()
                .put("nodePid", 1).<ObjectNode>set("processes", JSON.createObjectNode().put(
                        Long.toString(leftoverOnHost.pid()), leftoverOnHost.toHandle().info().startInstant()
                                .orElseThrow().toString()))
                .<ObjectNode>set("mountPoints", JSON.createArrayNode().add(mountPoint.toString())).toString());
    }

    /** Stands in for the API server's token issuer; what matters here is that the right token lands in the pod. */
    private static String token(String ns, String sa, String pod, String uid, List<String> audiences, Duration ttl) {
        return "token:" + ns + ":" + sa + ":" + pod + ":" + String.join(",", audiences) + ":" + ttl.toSeconds();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (server == null) {
            return;
        }
        try {
            if (node != null) {
                node.close();
                // Nothing of the node is left: namespaces, links, processes.
                assertThat(NodeNetwork.namespaces()).isEmpty();
                assertThat(NodeNetwork.links()).noneMatch(l -> l.startsWith(NodeNetwork.VETH_PREFIX)
                        || l.equals(options.bridge()));
                assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                        .filter(c -> c.contains(options.runDir().resolve("images").toString())).toList()).isEmpty();
                assertThat(Path.of("/etc/netns")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                        p -> assertThat(Files.list(p).map(Path::getFileName).map(Path::toString)
                                .filter(n -> n.startsWith(NodeNetwork.NETNS_PREFIX)).toList()).isEmpty());
                assertThat(options.runDir().resolve("node-state.json")).doesNotExist();
            }
        } finally {
            for (TestProcess p : processes) {
                p.close();
            }
            client.close();
            server.destroy();
        }
    }

    private static void namespace(String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    private static String webhookConfiguration() {
        return """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: injector-webhook}
                webhooks:
                  - name: sidecar-injector.mesh.dev
                    admissionReviewVersions: [v1]
                    sideEffects: None
                    failurePolicy: Fail
                    timeoutSeconds: 10
                    clientConfig:
                      service: {name: injector-webhook, namespace: istio-system, port: 443, path: /inject}
                    rules:
                      - {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods], scope: Namespaced}
                    namespaceSelector:
                      matchExpressions:
                        - {key: istio-injection, operator: In, values: [enabled]}
                        - {key: kubernetes.io/metadata.name, operator: NotIn, values: ["istio-system"]}
                """;
    }

    /** Creates a pod the way the API server does: mutating admission first, then the store. */
    private static Pod create(String ns, String name, String version, boolean readinessProbe) throws Exception {
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode metadata = pod.putObject("metadata").put("name", name).put("namespace", ns);
        metadata.putObject("labels").put("app", "podinfo").put("version", version);
        ObjectNode container = pod.putObject("spec").putArray("containers").addObject().put("name", "podinfo")
                .put("image", "ghcr.io/stefanprodan/podinfo:" + version);
        container.putArray("ports").addObject().put("name", "http").put("containerPort", 9898);
        if (readinessProbe) {
            container.putObject("readinessProbe").put("periodSeconds", 1).putObject("httpGet").put("path", "/readyz")
                    .put("port", "http");
        }
        var outcome = admission.admit(WebhookAdmission.Request.podCreate(pod, ns, "test"),
                JSON.valueToTree(client.namespaces().withName(ns).get()),
                List.of(JSON.valueToTree(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                        .withName("injector-webhook").get())));
        assertThat(outcome).isInstanceOf(WebhookAdmission.Outcome.Admitted.class);
        JsonNode admitted = ((WebhookAdmission.Outcome.Admitted) outcome).object();
        return client.pods().inNamespace(ns).resource(JSON.treeToValue(admitted, Pod.class)).create();
    }

    private static Pod awaitReady(String ns, String name, int containers) throws Exception {
        return awaitContainers(ns, name, containers, true);
    }

    /** Waits until the pod runs {@code containers} containers, all started (and all ready when asked). */
    private static Pod awaitContainers(String ns, String name, int containers, boolean ready) throws Exception {
        Pod[] last = new Pod[1];
        try {
            await(POD_READY, "pod " + ns + "/" + name + (ready ? " ready " : " started ") + containers + "/"
                    + containers, () -> {
                last[0] = client.pods().inNamespace(ns).withName(name).get();
                return last[0] != null && last[0].getStatus() != null
                        && "Running".equals(last[0].getStatus().getPhase())
                        && last[0].getStatus().getContainerStatuses().size() == containers
                        && last[0].getStatus().getContainerStatuses().stream().allMatch(s -> ready ? s.getReady()
                                : Boolean.TRUE.equals(s.getStarted()));
            });
        } catch (AssertionError e) {
            StringBuilder logs = new StringBuilder();
            for (String c : List.of("podinfo", "istio-proxy", "istio-init")) {
                node.log(ns, name, c).ifPresent(text -> logs.append("--- ").append(c).append(":\n").append(text));
            }
            throw new AssertionError(e.getMessage() + "\nlast status: " + (last[0] == null ? null
                    : Serialization.asYaml(last[0].getStatus())) + "\n" + logs, e);
        }
        return last[0];
    }

    private static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.call()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(200);
        }
    }

    private static String netnsExec(String netns, String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(List.of(command));
        return HostCommands.run(argv);
    }

    /** Packets that went through the REDIRECT rule of ISTIO_REDIRECT (outbound capture to 15001). */
    private static long outboundRedirects(String netns) {
        for (String line : netnsExec(netns, "iptables", "-t", "nat", "-L", "ISTIO_REDIRECT", "-n", "-v", "-x")
                .split("\n")) {
            if (line.contains("redir ports 15001")) {
                return Long.parseLong(line.strip().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no REDIRECT to 15001 in ISTIO_REDIRECT of " + netns);
    }

    @Test
    @Order(0)
    void leftoversOfACrashedRun_areRemovedAtStart() {
        assertThat(leftoverInNamespace.isAlive()).isFalse();
        assertThat(leftoverOnHost.isAlive()).isFalse();
        assertThat(NodeNetwork.namespaces()).doesNotContain(LEFTOVER_NETNS);
        assertThat(NodeNetwork.links()).doesNotContain(LEFTOVER_VETH);
        assertThat(Path.of("/run/mesh-node-test-leftover")).doesNotExist();
        // The bridge was made again, fresh.
        assertThat(NodeNetwork.links()).contains(options.bridge());
    }

    @Test
    @Order(1)
    void podInUnlabelledNamespace_runsOneOfOne_andAnswersFromTheHostAtItsIp() throws Exception {
        create("plain", "podinfo-plain", "6.7.0", true);
        Pod pod = awaitReady("plain", "podinfo-plain", 1);
        String ip = pod.getStatus().getPodIP();
        assertThat(ip).startsWith("10.244.");
        assertThat(pod.getStatus().getHostIP()).isEqualTo("10.244.0.1");
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getRunning().getStartedAt()).isNotBlank();
        assertThat(pod.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready")
                && c.getStatus().equals("True"));
        HttpResponse<String> version = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":9898/version"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(version.body()).isEqualTo("{\"version\":\"6.7.0\"}");
        String netns = node.networkNamespace("plain", "podinfo-plain").orElseThrow();
        assertThat(netnsExec(netns, "iptables", "-t", "nat", "-S")).doesNotContain("ISTIO");
        assertThat(node.log("plain", "podinfo-plain", null)).hasValueSatisfying(log ->
                assertThat(log).contains("podinfo 6.7.0 listening on 0.0.0.0:9898"));
    }

    @Test
    @Order(2)
    void podInLabelledNamespace_isInjected_withOutboundCaptureToTheSidecar() throws Exception {
        // Plaintext inbound: this test is about the node (READY follows the sidecar's own probe), not about the
        // proxy's mTLS, which its own tests cover.
        client.resource(Serialization.unmarshal("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: demo}
                spec: {mtls: {mode: DISABLE}}
                """, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).create();
        // No readiness probe: a probe of the app's port from the host would go through the sidecar's inbound
        // capture, which is the proxy's business, not the node's.
        create("demo", "podinfo-v1", "6.7.1", false);
        Pod pod = awaitContainers("demo", "podinfo-v1", 2, false);
        assertThat(pod.getSpec().getInitContainers()).extracting(c -> c.getName()).containsExactly("istio-init");
        assertThat(pod.getStatus().getInitContainerStatuses().get(0).getState().getTerminated().getExitCode())
                .isZero();
        String netns = node.networkNamespace("demo", "podinfo-v1").orElseThrow();
        String rules = netnsExec(netns, "iptables", "-t", "nat", "-S");
        assertThat(rules).contains("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
                "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
                "-A ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN",
                "-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN",
                "-A OUTPUT -p tcp -j ISTIO_OUTPUT");

        // An outbound connection of the app's uid is redirected to the sidecar; the sidecar's own (1337) is not.
        long before = outboundRedirects(netns);
        runIgnoringExit(netns, "1000", "http://10.244.0.1:9/");
        long afterApp = outboundRedirects(netns);
        assertThat(afterApp).isGreaterThan(before);
        runIgnoringExit(netns, "1337", "http://10.244.0.1:9/");
        assertThat(outboundRedirects(netns)).isEqualTo(afterApp);
        // ... and the sidecar listens where the rules send it.
        await(Duration.ofSeconds(30), "the sidecar listening on 15001 and 15006 in " + netns, () -> {
            String listening = netnsExec(netns, "ss", "-ltnH");
            return listening.contains(":15001 ") && listening.contains(":15006 ");
        });

        // A Service made after the pod started reaches its /etc/hosts by all of its names.
        client.services().inNamespace("demo").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("podinfo").endMetadata().withNewSpec().withClusterIP("10.96.0.42")
                .addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
        await(Duration.ofSeconds(10), "podinfo.demo in the pod's /etc/hosts", () -> {
            try {
                return netnsExec(netns, "getent", "hosts", "podinfo.demo.svc.cluster.local").startsWith("10.96.0.42");
            } catch (HostCommands.CommandFailedException e) {
                return false;
            }
        });
        assertThat(netnsExec(netns, "getent", "hosts", "podinfo")).startsWith("10.96.0.42");

        // The projected istio-token, for the CA's audience, where the proxy's volume mount says (in its own mount
        // namespace: nobody else sees it there).
        String token = HostCommands.run(List.of("nsenter", "-t", sidecarPid(pod), "-m", "cat",
                "/var/run/secrets/tokens/istio-token"));
        assertThat(token).isEqualTo("token:demo:default:podinfo-v1:istio-ca:43200");
        assertThat(Path.of("/var/run/secrets/tokens/istio-token")).doesNotExist();
    }

    @Test
    @Order(3)
    void injectedPod_isReadyTwoOfTwo_onceItsSidecarHasConfigFromTheControlPlane() throws Exception {
        // The sidecar's readiness probe (15021 /healthz/ready) turns true once config-distributor's first
        // config is accepted: this is READY 2/2 of the walkthrough, across node, distributor and proxy.
        Pod pod = awaitReady("demo", "podinfo-v1", 2);
        assertThat(pod.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready")
                && c.getStatus().equals("True"));
    }

    /** pid of the sidecar's process, from its container ID. */
    private static String sidecarPid(Pod pod) {
        return pod.getStatus().getContainerStatuses().stream().filter(s -> s.getName().equals("istio-proxy"))
                .findFirst().orElseThrow().getContainerID().substring("mesh://".length());
    }

    private static void runIgnoringExit(String netns, String uid, String url) {
        try {
            netnsExec(netns, "setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "curl", "-s", "-m",
                    "2", "-o", "/dev/null", url);
        } catch (HostCommands.CommandFailedException e) {
            // The target answers nothing useful; the rule's counter is what is checked.
        }
    }

    @Test
    @Order(4)
    void deletingAPod_stopsItsProcesses_andRemovesItsNamespace() throws Exception {
        Pod pod = client.pods().inNamespace("plain").withName("podinfo-plain").get();
        String netns = node.networkNamespace("plain", "podinfo-plain").orElseThrow();
        long pid = Long.parseLong(pod.getStatus().getContainerStatuses().get(0).getContainerID()
                .substring("mesh://".length()));
        client.pods().inNamespace("plain").withName("podinfo-plain").delete();
        await(Duration.ofSeconds(20), "namespace " + netns + " removed", () ->
                !NodeNetwork.namespaces().contains(netns));
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(node.networkNamespace("plain", "podinfo-plain")).isEmpty();
    }
}
