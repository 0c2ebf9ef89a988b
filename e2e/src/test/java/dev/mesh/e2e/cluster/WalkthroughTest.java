package dev.mesh.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cluster.demo.Walkthrough;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The walkthrough (../shared/seed, Steps 3 to 7, its most common failures and the control-plane failure drill), one
 * assertion per claim: the control plane installed by meshctl, injected pods, STRICT mTLS, the 90/10 split and its
 * variants, NR, the four common failures with what {@code meshctl analyze} and {@code proxy-config} show for them
 * (golden outputs), and the outage drill with load running.
 *
 * <p>It runs on the local cluster (needs root; CI runs it as root and must not skip), or on any cluster with the
 * mesh installed given {@code -Dmesh.e2e.kubeconfig=<file>} and {@code -Dmesh.e2e.gateway=<ingress address>}
 * ({@code e2e/kind/run-e2e.sh} passes both).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkthroughTest {

    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final String V1 = "6.7.1";
    private static final String V2 = "6.7.0";
    /** A namespace without the injection label, where clients outside the mesh run. */
    private static final String PLAIN = "plain";
    private static final int APP_UID = 1000;

    private Walkthrough.Cluster cluster;
    private KubernetesClient client;
    private Walkthrough walkthrough;
    private Path meshRoot;
    private URI gateway;
    private final Goldens goldens = new Goldens("walkthrough");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    void walkThroughSteps3To7() throws Exception {
        meshRoot = Path.of(System.getProperty("mesh.root"));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String kubeconfig = System.getProperty("mesh.e2e.kubeconfig", "");
        String gatewayAddress;
        if (kubeconfig.isBlank()) {
            ClusterTests.requireRoot("WalkthroughTest");
            cluster = Walkthrough.startCluster(meshRoot, Files.createTempDirectory("walkthrough-"));
            client = cluster.client();
            walkthrough = new Walkthrough(cluster, out);
            walkthrough.installControlPlane(Duration.ofMinutes(4));
            gatewayAddress = walkthrough.externalIp().orElseThrow();
        } else {
            Path file = Path.of(kubeconfig);
            client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(file))).build();
            walkthrough = new Walkthrough(client, file, meshRoot, kubectlExec(client), out);
            gatewayAddress = System.getProperty("mesh.e2e.gateway", "");
            if (gatewayAddress.isBlank()) {
                throw new IllegalArgumentException("-Dmesh.e2e.kubeconfig is set but -Dmesh.e2e.gateway is not: give"
                        + " the ingress gateway's address (its Service's EXTERNAL-IP)");
            }
        }
        walkthrough.createNamespace();
        walkthrough.deployPodinfo(Duration.ofMinutes(3));
        walkthrough.enableStrictMtls();
        walkthrough.routeCanary();
        gateway = URI.create("http://" + gatewayAddress + "/version");
        Walkthrough.await(SETTLE, "the gateway answering /version", () -> get(gateway, Map.of()).code() == 200);
    }

    @AfterAll
    void tearDown() {
        if (cluster != null) {
            cluster.close();
            assertThat(ClusterTests.leftovers()).as("after the cluster closed").isEmpty();
        } else if (client != null) {
            client.namespaces().withName(Walkthrough.DEMO_NS).delete();
            client.namespaces().withName(PLAIN).delete();
            client.close();
        }
    }

    @Test
    @Order(1)
    void labelledNamespacePods_are2of2_andTheControlPlaneIsUp() {
        assertThat(client.pods().inNamespace("demo").withLabel("app", "podinfo").list().getItems())
                .hasSize(2).allSatisfy(p -> assertThat(Walkthrough.readyColumn(p)).isEqualTo("2/2"));
        assertThat(client.pods().inNamespace("istio-system").list().getItems())
                .isNotEmpty().allSatisfy(p -> assertThat(Walkthrough.readyColumn(p)).isEqualTo("1/1"));
    }

    @Test
    @Order(2)
    void thousandRequests_splitNinetyTen_withinBinomialBounds() {
        Map<String, Integer> counts = versions(1000, Map.of());

        assertThat(counts.keySet()).containsOnly(V1, V2);
        double p = Binomial.twoSidedP(counts.getOrDefault(V1, 0), 1000, 0.9);
        System.out.printf("[walkthrough] split of 1000: %d x %s, %d x %s, two-sided p = %.4f%n",
                counts.getOrDefault(V1, 0), V1, counts.getOrDefault(V2, 0), V2, p);
        assertThat(p).as("v1 %s of 1000, two-sided p", counts.get(V1)).isGreaterThanOrEqualTo(0.001);
    }

    /** Step 8: the graph (Kiali's shape, served by telemetry) shows the split on the edges into podinfo. */
    @Test
    @Order(3)
    void graph_showsTheSplitOnTheEdgesFromTheIngressGateway() throws Exception {
        Pod from = plainClient();
        String url = "http://telemetry.istio-system:20001/api/namespaces/graph?namespaces=demo"
                + "&graphType=versionedApp&duration=10m";
        Map<String, Double> shares = new TreeMap<>();
        List<String> sources = new ArrayList<>();
        Walkthrough.await(SETTLE, "the graph showing edges into podinfo v1 and v2", () -> {
            shares.clear();
            sources.clear();
            com.fasterxml.jackson.databind.JsonNode graph = graph(from, url);
            Map<String, com.fasterxml.jackson.databind.JsonNode> nodes = new TreeMap<>();
            graph.path("elements").path("nodes").forEach(n -> nodes.put(n.path("data").path("id").asText(),
                    n.path("data")));
            for (com.fasterxml.jackson.databind.JsonNode edge : graph.path("elements").path("edges")) {
                var data = edge.path("data");
                var target = nodes.get(data.path("target").asText());
                if (target != null && target.path("app").asText().equals("podinfo")
                        && !target.path("version").asText().isEmpty()) {
                    shares.put(target.path("version").asText(),
                            data.path("traffic").path("rates").path("httpPercentReq").asDouble(-1));
                }
                var source = nodes.get(data.path("source").asText());
                if (source != null) {
                    String workload = source.path("workload").asText("");
                    sources.add(workload.isEmpty() ? source.path("app").asText() : workload);
                }
            }
            return shares.keySet().containsAll(Set.of("v1", "v2"));
        });
        System.out.printf("[walkthrough] graph: share of podinfo's requests %s (percent)%n", shares);
        assertThat(shares.get("v1")).as("v1's share on its edge").isBetween(85.0, 95.0);
        assertThat(shares.get("v2")).as("v2's share on its edge").isBetween(5.0, 15.0);
        assertThat(sources).as("edge sources").contains("istio-ingressgateway");
    }

    private com.fasterxml.jackson.databind.JsonNode graph(Pod from, String url) {
        try {
            Walkthrough.Exec answer = walkthrough.exec(PLAIN, from.getMetadata().getName(), APP_UID, "curl", "-s",
                    "--max-time", "5", url);
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.output());
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    @Test
    @Order(4)
    void meshctl_showsTheWalkthroughsConfiguration() throws Exception {
        learnPods();
        String v1 = pod("podinfo", "v1").getMetadata().getName() + ".demo";
        String ingress = ingressPod().getMetadata().getName() + ".istio-system";

        // Step 9: the three podinfo clusters of the sidecar, as the walkthrough shows them.
        goldens.check("proxy-config-cluster", meshctlOk("proxy-config", "cluster", v1, "--fqdn",
                "podinfo.demo.svc.cluster.local"), false);
        goldens.check("proxy-config-endpoints", grep(meshctlOk("proxy-config", "endpoints", v1), "podinfo"), true);
        goldens.check("proxy-config-routes-ingress", meshctlOk("proxy-config", "routes", ingress), false);
        String routes = meshctlOk("proxy-config", "routes", ingress, "--name", "http.80", "-o", "json");
        assertThat(weights(routes)).as("the 90/10 route in the ingress gateway's routes")
                .containsEntry("outbound|80|v1|podinfo.demo.svc.cluster.local", 90)
                .containsEntry("outbound|80|v2|podinfo.demo.svc.cluster.local", 10);

        Walkthrough.await(SETTLE, "every proxy SYNCED", () -> {
            String status = meshctlOutput("proxy-status").output();
            return status.lines().skip(1).allMatch(l -> !l.contains("STALE")) && status.lines().count() > 3;
        });
        String status = meshctlOk("proxy-status");
        assertThat(status.lines().skip(1).toList()).as(status).hasSize(proxyCount())
                .allSatisfy(row -> assertThat(row.split("\\s+")).contains("SYNCED").doesNotContain("STALE"));
        goldens.check("proxy-status", status, true);

        Walkthrough.Exec analyze = meshctlOutput("analyze", "-n", "demo");
        assertThat(analyze.code()).as(analyze.output()).isZero();
        goldens.check("analyze-demo", analyze.output(), false);
    }

    @Test
    @Order(5)
    void strict_refusesAClientOutsideTheMesh_andAMeshClientArrivesOverMtls() throws Exception {
        Pod outside = plainClient();
        Walkthrough.Exec refused = walkthrough.exec(PLAIN, outside.getMetadata().getName(), APP_UID, "curl", "-sS",
                "--max-time", "10", "http://podinfo.demo/version");
        assertThat(refused.code()).as("curl from a pod outside the mesh (namespace %s): %s", PLAIN, refused.output())
                .isNotZero();
        assertThat(refused.output()).doesNotContain(V1).doesNotContain(V2);
        // Why: the pod's inbound listener (15006) takes podinfo's port 9898 only over TLS under STRICT.
        learnPods();
        goldens.check("proxy-config-listeners-inbound-strict", meshctlOk("proxy-config", "listeners",
                pod("podinfo", "v1").getMetadata().getName() + ".demo", "--port", "15006"), false);

        Pod v2 = pod("podinfo", "v2");
        Walkthrough.Exec inside = walkthrough.exec("demo", v2.getMetadata().getName(), APP_UID, "curl", "-s",
                "--max-time", "10", "http://podinfo.demo/headers");
        assertThat(inside.code()).as(inside.output()).isZero();
        assertThat(inside.output()).containsIgnoringCase("x-forwarded-client-cert")
                .contains("URI=spiffe://cluster.local/ns/demo/sa/default");
    }

    @Test
    @Order(6)
    void weights_0_100_and_100_0_takeEffect() throws Exception {
        applyVirtualService(0, 100);
        Walkthrough.await(SETTLE, "every request on v2", () -> versions(20, Map.of()).keySet().equals(Set.of(V2)));
        assertThat(versions(100, Map.of())).containsOnlyKeys(V2);

        applyVirtualService(100, 0);
        Walkthrough.await(SETTLE, "every request on v1", () -> versions(20, Map.of()).keySet().equals(Set.of(V1)));
        assertThat(versions(100, Map.of())).containsOnlyKeys(V1);

        walkthrough.apply("virtualservice-canary.yaml");
    }

    @Test
    @Order(7)
    void headerCanary_sendsXCanaryTrueToV2() throws Exception {
        apply("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: ["*"]
                  gateways: ["podinfo-gw"]
                  http:
                  - match: [{headers: {x-canary: {exact: "true"}}}]
                    route: [{destination: {host: podinfo.demo.svc.cluster.local, subset: v2}}]
                  - route: [{destination: {host: podinfo.demo.svc.cluster.local, subset: v1}}]
                """);
        Walkthrough.await(SETTLE, "x-canary: true answered by v2",
                () -> versions(20, Map.of("x-canary", "true")).keySet().equals(Set.of(V2)));

        assertThat(versions(50, Map.of("x-canary", "true"))).containsOnlyKeys(V2);
        assertThat(versions(50, Map.of())).containsOnlyKeys(V1);
        walkthrough.apply("virtualservice-canary.yaml");
    }

    /** Failure 4: "503 NR (no route) at the ingress gateway": the Gateway's host is not what the client sent. */
    @Test
    @Order(8)
    void wrongGatewayHost_isAnsweredNR_andProxyConfigRoutesShowsTheHost() throws Exception {
        apply("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: podinfo-gw, namespace: demo}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["podinfo.example.com"]
                """);
        apply("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: ["podinfo.example.com"]
                  gateways: ["podinfo-gw"]
                  http:
                  - route: [{destination: {host: podinfo.demo.svc.cluster.local, subset: v1}}]
                """);
        Walkthrough.await(SETTLE, "a request without the Gateway's host answered 404",
                () -> get(gateway, Map.of()).code() == 404);
        long before = noRouteCount();
        assertThat(get(gateway, Map.of()).code()).isEqualTo(404);
        Walkthrough.await(Duration.ofSeconds(10), "the ingress gateway counting the request with response flag NR",
                () -> noRouteCount() > before);

        // "istioctl proxy-config routes on the ingress gateway pod is the source of truth for what hostnames are
        // matched": the route names podinfo.example.com.
        learnPods();
        goldens.check("proxy-config-routes-ingress-wrong-host",
                meshctlOk("proxy-config", "routes", ingressPod().getMetadata().getName() + ".istio-system"), false);

        // "pass -H "Host: example.com" on the curl"
        Walkthrough.await(SETTLE, "Host: podinfo.example.com answered",
                () -> curlCode(gateway, "Host: podinfo.example.com") == 200);

        walkthrough.apply("gateway.yaml", "virtualservice-canary.yaml");
        Walkthrough.await(SETTLE, "the walkthrough's routes back", () -> get(gateway, Map.of()).code() == 200);
    }

    /** Failure 3: "VirtualService weights are not respected": subset labels that match no pod. */
    @Test
    @Order(9)
    void subsetLabelsNotMatchingPods_leaveThatSubsetWithoutEndpoints() throws Exception {
        apply("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: podinfo, namespace: demo}
                spec:
                  host: podinfo.demo.svc.cluster.local
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v3}}
                """);
        assertThat(client.pods().inNamespace("demo").withLabel("version", "v3").list().getItems()).isEmpty();
        Walkthrough.await(SETTLE, "subset v2 answered 503 (no endpoints)", () -> {
            Map<String, Integer> codes = versions(60, Map.of());
            return codes.containsKey("503") && !codes.containsKey(V2);
        });

        learnPods();
        String v1 = pod("podinfo", "v1").getMetadata().getName() + ".demo";
        goldens.check("proxy-config-endpoints-subset-mismatch",
                grep(meshctlOk("proxy-config", "endpoints", v1), "podinfo"), true);
        goldens.check("analyze-demo-subset-mismatch", meshctlOutput("analyze", "-n", "demo").output(), false);

        walkthrough.apply("destination-rule.yaml");
        Walkthrough.await(SETTLE, "v2 answering again", () -> versions(60, Map.of()).containsKey(V2));
    }

    /** Failure 1: "Sidecar not injected (READY 1/1 instead of 2/2)", fixed by the label and a rollout restart. */
    @Test
    @Order(10)
    void namespaceWithoutTheLabel_runs1of1_untilLabelledAndRestarted() throws Exception {
        plainClient();
        assertThat(client.pods().inNamespace(PLAIN).list().getItems())
                .isNotEmpty().allSatisfy(p -> assertThat(Walkthrough.readyColumn(p)).isEqualTo("1/1"));
        learnPods();
        goldens.check("analyze-plain-unlabelled", meshctlOutput("analyze", "-n", PLAIN).output(), false);

        client.namespaces().withName(PLAIN).edit(n -> {
            n.getMetadata().getLabels().put("istio-injection", "enabled");
            return n;
        });
        client.apps().deployments().inNamespace(PLAIN).withName("podinfo-v1").rolling().restart();
        Walkthrough.await(Duration.ofMinutes(2), "the restarted pod injected, 2/2",
                () -> client.pods().inNamespace(PLAIN).list().getItems().stream()
                        .anyMatch(p -> Walkthrough.readyColumn(p).equals("2/2")));
    }

    /** Failure 2 is test 5: a client outside the mesh refused under STRICT. The drill: */
    @Test
    @Order(11)
    void configDistributorOutage_dropsNoRequest_andNewPodsWaitForIt() throws Exception {
        int replicas = client.apps().deployments().inNamespace("istio-system").withName("config-distributor").get()
                .getSpec().getReplicas();
        Load load = Load.start(http, gateway);
        try {
            client.apps().deployments().inNamespace("istio-system").withName("config-distributor").scale(0);
            Walkthrough.await(Duration.ofMinutes(1), "no config-distributor pod left",
                    () -> client.pods().inNamespace("istio-system").withLabel("app", "config-distributor").list()
                            .getItems().isEmpty());
            String v3 = Files.readString(meshRoot.resolve("samples/walkthrough/podinfo-v2.yaml"))
                    .replace("podinfo-v2", "podinfo-v3").replace("version: v2", "version: v3");
            apply(v3);
            Walkthrough.await(Duration.ofMinutes(1), "the new pod started",
                    () -> !client.pods().inNamespace("demo").withLabel("version", "v3").list().getItems().isEmpty());
            Thread.sleep(20_000);
            assertThat(walkthrough.readyPods("demo", "version", "v3")).as("a new pod without a control plane")
                    .isZero();

            client.apps().deployments().inNamespace("istio-system").withName("config-distributor").scale(replicas);
            Walkthrough.await(Duration.ofMinutes(3), "the new pod ready once config-distributor is back",
                    () -> walkthrough.readyPods("demo", "version", "v3") == 1);
        } finally {
            load.stop();
        }
        System.out.printf("[walkthrough] config-distributor outage: %d requests, %d failed%n", load.sent(),
                load.failed());
        assertThat(load.failed()).as("failed of %d requests", load.sent()).isZero();
        assertThat(load.sent()).isGreaterThan(100);
    }

    @Test
    @Order(12)
    void citadelOutage_leavesTrafficUnaffected() throws Exception {
        int replicas = client.apps().deployments().inNamespace("istio-system").withName("citadel-ca").get()
                .getSpec().getReplicas();
        Load load = Load.start(http, gateway);
        try {
            client.apps().deployments().inNamespace("istio-system").withName("citadel-ca").scale(0);
            Walkthrough.await(Duration.ofMinutes(1), "no citadel-ca pod left",
                    () -> client.pods().inNamespace("istio-system").withLabel("app", "citadel-ca").list()
                            .getItems().isEmpty());
            Thread.sleep(10_000);
            client.apps().deployments().inNamespace("istio-system").withName("citadel-ca").scale(replicas);
            Walkthrough.await(Duration.ofMinutes(2), "citadel-ca back",
                    () -> walkthrough.readyPods("istio-system", "app", "citadel-ca") == replicas);
        } finally {
            load.stop();
        }
        System.out.printf("[walkthrough] citadel-ca outage: %d requests, %d failed%n", load.sent(), load.failed());
        assertThat(load.failed()).as("failed of %d requests", load.sent()).isZero();
        assertThat(load.sent()).isGreaterThan(100);
    }

    /** Requests sent one after another from two threads until stopped, counting non-200 answers and errors. */
    private record Load(AtomicBoolean running, AtomicInteger sentCount, AtomicInteger failedCount, Thread[] threads) {

        static Load start(HttpClient http, URI uri) {
            Load load = new Load(new AtomicBoolean(true), new AtomicInteger(), new AtomicInteger(), new Thread[2]);
            for (int i = 0; i < load.threads.length; i++) {
                load.threads[i] = new Thread(() -> {
                    while (load.running.get()) {
                        load.sentCount.incrementAndGet();
                        if (get(http, uri, Map.of()).code() != 200) {
                            load.failedCount.incrementAndGet();
                        }
                    }
                }, "walkthrough-load-" + i);
                load.threads[i].start();
            }
            return load;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }

        int sent() {
            return sentCount.get();
        }

        int failed() {
            return failedCount.get();
        }
    }

    /** podinfo v1 in a namespace without the injection label: a client outside the mesh, READY 1/1. */
    private Pod plainClient() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(PLAIN).endMetadata().build())
                .createOr(NonDeletingOperation::update);
        apply(Files.readString(meshRoot.resolve("samples/walkthrough/podinfo-v1.yaml"))
                .replace("namespace: demo", "namespace: " + PLAIN));
        Walkthrough.await(SETTLE, "podinfo in namespace " + PLAIN + " ready",
                () -> walkthrough.readyPods(PLAIN, "app", "podinfo") == 1);
        return client.pods().inNamespace(PLAIN).withLabel("app", "podinfo").list().getItems().stream()
                .filter(p -> Walkthrough.readyColumn(p).equals("1/1")).findFirst().orElseThrow();
    }

    private Pod pod(String app, String version) {
        return client.pods().inNamespace("demo").withLabel("app", app).withLabel("version", version).list().getItems()
                .stream().findFirst().orElseThrow();
    }

    private Pod ingressPod() {
        return client.pods().inNamespace("istio-system").withLabel("istio", "ingressgateway").list().getItems()
                .stream().findFirst().orElseThrow();
    }

    private void learnPods() {
        for (String namespace : List.of("istio-system", "demo", PLAIN)) {
            goldens.learn(client.pods().inNamespace(namespace).list().getItems());
        }
    }

    /** Pods with a proxy: the injected ones and the gateways. */
    private int proxyCount() {
        int count = 0;
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            boolean proxy = pod.getSpec().getContainers().stream().map(Container::getName)
                    .anyMatch(n -> n.equals("istio-proxy"));
            if (proxy && Walkthrough.readyColumn(pod).split("/")[0].equals(Walkthrough.readyColumn(pod).split("/")[1])) {
                count++;
            }
        }
        return count;
    }

    /** Requests the ingress gateway counted with response flag NR, from its /stats/prometheus (read in-cluster). */
    private long noRouteCount() {
        try {
            Pod from = plainClient();
            String url = "http://" + ingressPod().getStatus().getPodIP() + ":15090/stats/prometheus";
            Walkthrough.Exec stats = walkthrough.exec(PLAIN, from.getMetadata().getName(), APP_UID, "curl", "-s",
                    "--max-time", "5", url);
            long total = 0;
            for (String line : stats.output().lines().toList()) {
                if (line.startsWith("istio_requests_total{") && line.contains("response_flags=\"NR\"")) {
                    total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return total;
        } catch (Exception e) {
            throw new IllegalStateException("reading the ingress gateway's stats", e);
        }
    }

    /** The walkthrough's VirtualService with other weights. */
    private void applyVirtualService(int v1, int v2) throws Exception {
        String yaml = Files.readString(meshRoot.resolve("samples/walkthrough/virtualservice-canary.yaml"));
        assertThat(yaml).contains("weight: 90", "weight: 10");
        apply(yaml.replaceAll("weight: 90\\b", "weight: " + v1).replaceAll("weight: 10\\b", "weight: " + v2));
    }

    private void apply(String yaml) throws IOException {
        walkthrough.applyYaml(yaml);
    }

    private Walkthrough.Exec meshctlOutput(String... args) {
        try {
            return walkthrough.meshctlOutput(args);
        } catch (IOException e) {
            throw new IllegalStateException("running meshctl " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running meshctl", e);
        }
    }

    private String meshctlOk(String... args) {
        Walkthrough.Exec result = meshctlOutput(args);
        assertThat(result.code()).as("meshctl %s: %s", String.join(" ", args), result.output()).isZero();
        return result.output();
    }

    /** The lines containing {@code word} and the table's header, as {@code | grep word} but keeping the header. */
    private static String grep(String table, String word) {
        return table.lines().filter(l -> l.contains(word) || Goldens.isHeader(l))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    /** Weighted clusters of a route config dump: cluster name to weight. */
    private static Map<String, Integer> weights(String json) {
        Map<String, Integer> weights = new TreeMap<>();
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"(outbound\\|[^\"]+)\"\\s*,\\s*\"weight\"\\s*:\\s*(\\d+)")
                .matcher(json);
        while (m.find()) {
            weights.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return weights;
    }

    private Map<String, Integer> versions(int n, Map<String, String> headers) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Answer a = get(gateway, headers);
            counts.merge(a.code() == 200 ? a.version() : String.valueOf(a.code()), 1, Integer::sum);
        }
        return counts;
    }

    /** The status of one curl with an extra header (the JDK client may not set Host). */
    private static int curlCode(URI uri, String header) {
        try {
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                    "-H", header, uri.toString()).start();
            String code = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            curl.waitFor();
            return Integer.parseInt(code);
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private record Answer(int code, String version) {
    }

    private Answer get(URI uri, Map<String, String> headers) {
        return get(http, uri, headers);
    }

    private static Answer get(HttpClient http, URI uri, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
            headers.forEach(request::setHeader);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]*)\"").matcher(response.body());
            return new Answer(response.statusCode(), m.find() ? m.group(1) : "");
        } catch (IOException e) {
            return new Answer(-1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "");
        }
    }

    /** {@code kubectl exec} on a real cluster: the command runs in the pod's first container that is not the proxy. */
    private static Walkthrough.PodExec kubectlExec(KubernetesClient client) {
        return (namespace, pod, uid, command) -> {
            Pod target = client.pods().inNamespace(namespace).withName(pod).get();
            String container = target.getSpec().getContainers().stream().map(Container::getName)
                    .filter(n -> !n.equals("istio-proxy")).findFirst().orElseThrow();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod).inContainer(container)
                    .writingOutput(output).writingError(output).exec(command)) {
                int code = watch.exitCode().get(2, TimeUnit.MINUTES);
                return new Walkthrough.Exec(code, output.toString(StandardCharsets.UTF_8));
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("exec in pod " + namespace + "/" + pod + ": " + e.getMessage(), e);
            }
        };
    }
}
