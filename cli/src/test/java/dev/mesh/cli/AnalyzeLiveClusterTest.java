package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cli.testing.MockCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshctl analyze} against a live cluster: fabric8's API server mock in CRUD mode holding what the mesh's
 * install and the walkthrough leave in a cluster (the mesh's CRDs, the ingress gateway's Service and pod, the
 * walkthrough's manifests from {@code samples/walkthrough}, and the pods an injected cluster shows, with their
 * {@code istio-proxy} container), then the walkthrough's common failures made in that cluster.
 */
class AnalyzeLiveClusterTest {

    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path WALKTHROUGH = REPO.resolve("samples/walkthrough");
    private static final Path CRDS = REPO.resolve("deploy/charts/mesh/crds");
    private static final String NL = System.lineSeparator();
    private static final String CLEAN_DEMO = "\u2714 No validation issues found when analyzing namespace: demo." + NL;
    private static final String DOCS_LINE = "See https://istio.io/latest/docs/reference/config/analysis for more"
            + " information about causes and resolutions." + NL;
    private static final Predicate<String> ISTIO_AND_GATEWAY_API_GROUPS = path ->
            Stream.of("networking.istio.io", "security.istio.io", "telemetry.istio.io", "gateway.networking.k8s.io")
                    .anyMatch(group -> path.startsWith("/apis/" + group));

    @TempDir
    Path dir;

    private MockCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void walkthroughOnAnInjectedCluster_hasNoIssues() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2");

        CliRun.Split run = CliRun.split("analyze", "-n", "demo", "--kubeconfig", cluster.kubeconfig());

        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo(CLEAN_DEMO);
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void namespaceLabelMissing_reportsIst0102_andExitsZero() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(false, "v2");

        CliRun run = analyze("-n", "demo");

        assertThat(run.output()).isEqualTo("Info [IST0102] (Namespace demo) The namespace is not enabled for Istio"
                + " injection. Run 'kubectl label namespace demo istio-injection=enabled' to enable it, or 'kubectl"
                + " label namespace demo istio-injection=disabled' to explicitly mark it as not needing injection."
                + NL);
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void podCreatedBeforeTheLabel_reportsIst0103() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2");
        pod("demo", "podinfo-v1-d57b7c9fd-old01", Map.of("app", "podinfo", "version", "v1"), false);

        CliRun run = analyze("-n", "demo");

        assertThat(run.output()).isEqualTo("Warning [IST0103] (Pod demo/podinfo-v1-d57b7c9fd-old01) The pod"
                + " demo/podinfo-v1-d57b7c9fd-old01 is missing the Istio proxy. This can often be resolved by"
                + " restarting or redeploying the workload." + NL);
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void subsetLabelsMatchingNoPod_reportsIst0173_andExitsWithIssuesFound() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2.0");

        CliRun run = analyze("-n", "demo");

        assertThat(run.output()).isEqualTo("Error [IST0173] (DestinationRule demo/podinfo) The Subset v2 defined in"
                + " the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream)." + NL
                + "Error: Analyzers found issues when analyzing namespace: demo." + NL + DOCS_LINE);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.ANALYZER_FOUND_ISSUES);
    }

    @Test
    void subsetLabelsMatchingNoPod_asJson_listsTheMessage_andExitsZero() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2.0");

        CliRun.Split run = CliRun.split("analyze", "-n", "demo", "-o", "json", "--kubeconfig", cluster.kubeconfig());

        assertThat(run.out()).isEqualTo("""
                [ {
                  "code" : "IST0173",
                  "documentationUrl" : "https://istio.io/latest/docs/reference/config/analysis/ist0173/?ref=meshctl-analyze",
                  "level" : "Error",
                  "message" : "The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).",
                  "origin" : "DestinationRule demo/podinfo"
                } ]
                """.replace("\n", NL));
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void gatewayHostNotMatchingTheVirtualService_reportsIst0132() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2");
        apply("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: podinfo-gw, namespace: demo}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["podinfo.example.com"]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: ["www.example.org"]
                  gateways: ["podinfo-gw"]
                  http:
                  - route:
                    - destination: {host: podinfo.demo.svc.cluster.local, subset: v1}
                """);

        CliRun run = analyze("-n", "demo");

        assertThat(run.output()).isEqualTo("Warning [IST0132] (VirtualService demo/podinfo) one or more host"
                + " [www.example.org] defined in VirtualService demo/podinfo not found in Gateway demo/podinfo-gw."
                + NL);
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void allNamespaces_reportsEveryNamespace_whileOneNamespaceReportsOnlyItsOwn() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2");
        namespace("shop", Map.of());
        namespace("team", Map.of("istio-injection", "enabled"));
        apply("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: team}
                spec:
                  host: reviews.team.svc.cluster.local
                """);

        CliRun all = analyze("-A");
        CliRun demo = analyze("-n", "demo");

        assertThat(all.output()).isEqualTo("Warning [IST0174] (DestinationRule team/reviews) The host"
                + " reviews.team.svc.cluster.local defined in the DestinationRule does not match any services in the"
                + " mesh." + NL
                + notInjected("default") + notInjected("shop"));
        assertThat(all.exitCode()).isZero();
        assertThat(demo.output()).isEqualTo(CLEAN_DEMO);
    }

    @Test
    void withoutNamespace_analyzesTheKubeconfigContextsNamespace_elseDefault() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2");
        Path kubeconfig = dir.resolve("two-contexts");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: test, user: {token: test}}]
                contexts:
                - {name: mock, context: {cluster: mock, user: test}}
                - {name: demo, context: {cluster: mock, user: test, namespace: demo}}
                current-context: mock
                """.formatted(cluster.client().getMasterUrl()));

        CliRun inDemo = CliRun.of("analyze", "--kubeconfig", kubeconfig.toString(), "--context", "demo");
        CliRun inDefault = CliRun.of("analyze", "--kubeconfig", kubeconfig.toString());

        assertThat(inDemo.output()).isEqualTo(CLEAN_DEMO);
        assertThat(inDemo.exitCode()).isZero();
        assertThat(inDefault.output()).isEqualTo(notInjected("default"));
    }

    @Test
    void fileObject_replacesTheClusterObjectOfTheSameKindNamespaceAndName() throws IOException {
        installedMesh(path -> false, true);
        walkthrough(true, "v2.0");
        Path fixedRule = dir.resolve("destination-rule.yaml");
        Files.writeString(fixedRule, """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: podinfo, namespace: demo}
                spec:
                  host: podinfo.demo.svc.cluster.local
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2.0}}
                """);
        Path unlabelledNamespace = dir.resolve("namespace.yaml");
        Files.writeString(unlabelledNamespace, "{apiVersion: v1, kind: Namespace, metadata: {name: demo}}\n");

        CliRun live = analyze("-n", "demo");
        CliRun withFixedRule = analyze("-n", "demo", fixedRule.toString());
        CliRun withUnlabelledNamespace = analyze("-n", "demo", "-f", fixedRule.toString(),
                "-f", unlabelledNamespace.toString());

        assertThat(live.output()).contains("Error [IST0173] (DestinationRule demo/podinfo) The Subset v2");
        assertThat(withFixedRule.output()).isEqualTo(CLEAN_DEMO);
        assertThat(withFixedRule.exitCode()).isZero();
        assertThat(withUnlabelledNamespace.output()).isEqualTo(notInjected("demo"));
    }

    @Test
    void istioCrdsNotInstalled_countAsNoObjects_andFilesStillOverlayTheCluster() throws IOException {
        installedMesh(ISTIO_AND_GATEWAY_API_GROUPS, false);
        namespace("demo", Map.of());
        podinfoPods(false, "v2");
        Path walkthroughFiles = dir.resolve("walkthrough");
        Files.createDirectories(walkthroughFiles);
        for (String file : List.of("destination-rule.yaml", "gateway.yaml", "virtualservice-canary.yaml",
                "podinfo-svc.yaml")) {
            Files.copy(WALKTHROUGH.resolve(file), walkthroughFiles.resolve(file));
        }

        CliRun coreOnly = analyze("-n", "demo");
        CliRun withFiles = analyze("-n", "demo", "-f", walkthroughFiles.toString());

        assertThat(cluster.client().getApiResources("networking.istio.io/v1")).as("the cluster serves no Istio API")
                .isNull();
        assertThat(coreOnly.output()).isEqualTo(notInjected("demo"));
        assertThat(coreOnly.exitCode()).isZero();
        // the files' DestinationRule finds the cluster's pods: no IST0173; the Gateway finds the cluster's gateway
        assertThat(withFiles.output()).isEqualTo(notInjected("demo"));
        assertThat(withFiles.exitCode()).isZero();
    }

    @Test
    void namespaceTheClusterDoesNotHave_isSaid_andExitsZeroAsIstioctl() throws IOException {
        installedMesh(path -> false, true);

        CliRun run = analyze("-n", "nope");

        assertThat(run.output()).isEqualTo("namespace \"nope\" not found" + NL);
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void unreachableApiServer_namesTheServerAndKubeconfig_andExitsOne() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path kubeconfig = dir.resolve("unreachable");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: gone, cluster: {server: "https://127.0.0.1:%d"}}]
                users: [{name: test, user: {token: test}}]
                contexts: [{name: gone, context: {cluster: gone, user: test}}]
                current-context: gone
                """.formatted(closedPort));

        CliRun run = CliRun.of("analyze", "-n", "demo", "--kubeconfig", kubeconfig.toString());

        assertThat(run.output()).startsWith("Error: cannot read the cluster at https://127.0.0.1:" + closedPort
                + "/ (kubeconfig " + kubeconfig + ", context gone): ").contains("Connection refused");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.UNKNOWN_ERROR);
    }

    @Test
    void missingKubeconfig_isNamed_andExitsOne() {
        CliRun run = CliRun.of("analyze", "--kubeconfig", dir.resolve("absent").toString());

        assertThat(run.output()).isEqualTo("Error: --kubeconfig " + dir.resolve("absent") + ": no such file" + NL);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.UNKNOWN_ERROR);
    }

    private CliRun analyze(String... args) {
        List<String> all = new ArrayList<>(List.of("analyze", "--kubeconfig", cluster.kubeconfig()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static String notInjected(String ns) {
        return "Info [IST0102] (Namespace " + ns + ") The namespace is not enabled for Istio injection. Run 'kubectl"
                + " label namespace " + ns + " istio-injection=enabled' to enable it, or 'kubectl label namespace "
                + ns + " istio-injection=disabled' to explicitly mark it as not needing injection." + NL;
    }

    /**
     * A cluster after {@code meshctl install}: the mesh's CRDs (unless {@code crds} is false), the namespaces every
     * cluster has, a kube-system pod without a proxy, and the ingress gateway's Service and pod as the chart makes
     * them.
     */
    private void installedMesh(Predicate<String> notServed, boolean crds) throws IOException {
        cluster = new MockCluster(dir, notServed);
        if (crds) {
            try (Stream<Path> files = Files.list(CRDS)) {
                for (Path crd : files.sorted().toList()) {
                    applyFile(crd);
                }
            }
        }
        namespace("default", Map.of());
        namespace("kube-system", Map.of());
        namespace("istio-system", Map.of());
        pod("kube-system", "coredns-5d78c9869d-q8x2k", Map.of("k8s-app", "kube-dns"), false);
        Map<String, String> gateway = Map.of("app", "istio-ingressgateway", "istio", "ingressgateway");
        client().services().inNamespace("istio-system").resource(new ServiceBuilder()
                .withNewMetadata().withName("istio-ingressgateway").withNamespace("istio-system")
                .addToLabels("istio", "ingressgateway").endMetadata()
                .withNewSpec().withType("LoadBalancer").withSelector(gateway)
                .addNewPort().withName("status-port").withPort(15021).withNewTargetPort(15021).withProtocol("TCP")
                .endPort()
                .addNewPort().withName("http2").withPort(80).withNewTargetPort(80).withProtocol("TCP").endPort()
                .addNewPort().withName("https").withPort(443).withNewTargetPort(443).withProtocol("TCP").endPort()
                .endSpec().build()).create();
        Map<String, String> gatewayPod = new LinkedHashMap<>(gateway);
        gatewayPod.put("sidecar.istio.io/inject", "false");
        pod("istio-system", "istio-ingressgateway-584467857d-h8gtc", gatewayPod, true);
    }

    /**
     * The walkthrough's Step 4 to 7 done: namespace demo (labelled {@code istio-injection=enabled} if
     * {@code labelled}), every manifest of {@code samples/walkthrough}, and the pods of the two Deployments, with a
     * proxy if the namespace was labelled; the v2 pod carries {@code version: <v2Label>}.
     */
    private void walkthrough(boolean labelled, String v2Label) throws IOException {
        namespace("demo", labelled ? Map.of("istio-injection", "enabled") : Map.of());
        try (Stream<Path> files = Files.list(WALKTHROUGH)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                applyFile(file);
            }
        }
        podinfoPods(labelled, v2Label);
    }

    private void podinfoPods(boolean injected, String v2Label) {
        pod("demo", "podinfo-v1-d57b7c9fd-7swjb", Map.of("app", "podinfo", "version", "v1"), injected);
        pod("demo", "podinfo-v2-6c8b5f9d4-k2m7p", Map.of("app", "podinfo", "version", v2Label), injected);
    }

    private void namespace(String name, Map<String, String> labels) {
        client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    /** A running pod; {@code proxy}: as the injector leaves it, with istio-init and istio-proxy. */
    private void pod(String namespace, String name, Map<String, String> labels, boolean proxy) {
        String app = labels.getOrDefault("app", labels.values().iterator().next());
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(labels).endMetadata()
                .withNewSpec().withNodeName("node-1")
                .addNewContainer().withName(app).withImage(app + ":latest").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        if (proxy) {
            pod.editSpec()
                    .addNewInitContainer().withName("istio-init").withImage("mesh/gateway-proxy:0.1.0")
                    .endInitContainer()
                    .addNewContainer().withName("istio-proxy").withImage("mesh/gateway-proxy:0.1.0").endContainer()
                    .endSpec();
        }
        client().pods().inNamespace(namespace).resource(pod.build()).create();
    }

    private void applyFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            applyItems(client().load(in).items());
        }
    }

    /** Creates or replaces each object of {@code yaml}, as {@code kubectl apply} would. */
    private void apply(String yaml) throws IOException {
        try (InputStream in = new java.io.ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))) {
            applyItems(client().load(in).items());
        }
    }

    private void applyItems(List<HasMetadata> items) {
        for (HasMetadata item : items) {
            client().resource(item).createOr(NonDeletingOperation::update);
        }
    }

    private KubernetesClient client() {
        return cluster.client();
    }
}
