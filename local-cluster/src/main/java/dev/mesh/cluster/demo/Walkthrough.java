package dev.mesh.cluster.demo;

import dev.mesh.cluster.LocalCluster;
import dev.mesh.cluster.api.LocalApiServer;
import dev.mesh.cluster.net.ServiceProxy;
import dev.mesh.cluster.node.LocalNode;
import dev.mesh.cluster.node.NodeOptions;
import dev.mesh.cluster.node.StoredAdmission;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The walkthrough (../shared/seed, Steps 3 to 7) on the local cluster (or any cluster), as {@code ./mesh demo} runs it: the control
 * plane installed by {@code meshctl install --set profile=demo -y}, the demo namespace labelled for injection,
 * podinfo v1 and v2, STRICT mTLS, the Gateway, DestinationRule and 90/10 VirtualService, then requests to the
 * ingress gateway's external address counted per version as {@code sort | uniq -c} prints them.
 */
public final class Walkthrough {

    public static final String DEMO_NS = "demo";
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]*)\"");

    /** Everything the walkthrough runs on, started and closed together. */
    public record Cluster(LocalCluster cluster, LocalNode node, Path meshRoot) implements AutoCloseable {

        public KubernetesClient client() {
            return cluster.apiServer().adminClient();
        }

        public Path kubeconfig() {
            return cluster.apiServer().kubeconfig();
        }

        @Override
        public void close() {
            cluster.close();
        }
    }

    /** Runs a command in a pod, as {@code kubectl exec} does, as {@code uid} where the cluster lets it choose. */
    @FunctionalInterface
    public interface PodExec {
        Exec exec(String namespace, String pod, int uid, String... command) throws IOException, InterruptedException;
    }

    private final KubernetesClient client;
    private final Path kubeconfig;
    private final Path meshRoot;
    private final PodExec podExec;
    private final PrintStream out;

    /** The walkthrough on the local cluster: commands in pods run in the pod's network namespace. */
    public Walkthrough(Cluster cluster, PrintStream out) {
        this(cluster.client(), cluster.kubeconfig(), cluster.meshRoot(), localExec(cluster.node()), out);
    }

    /**
     * The walkthrough on any cluster: {@code client} and {@code kubeconfig} reach it (meshctl gets the kubeconfig),
     * {@code podExec} runs commands in its pods, {@code meshRoot} is the checkout (samples, the packaged meshctl).
     */
    public Walkthrough(KubernetesClient client, Path kubeconfig, Path meshRoot, PodExec podExec, PrintStream out) {
        this.client = client;
        this.kubeconfig = kubeconfig;
        this.meshRoot = meshRoot;
        this.podExec = podExec;
        this.out = out;
    }

    /**
     * Starts the local cluster with its node (pods as network namespaces) and kube-proxy: the API server listens
     * on every address so that pods reach it through the bridge.
     */
    public static Cluster startCluster(Path meshRoot, Path stateDir) throws IOException {
        LocalNode.requireRoot();
        NodeOptions node = NodeOptions.defaults(meshRoot);
        String bridgeIp = firstHost(node.podCidr());
        LocalCluster cluster = LocalCluster.start(LocalApiServer.Options.defaults(stateDir).withMeshRoot(meshRoot)
                .withBindHost("0.0.0.0").withExtraSubjectAltNames(List.of(bridgeIp)));
        try {
            LocalApiServer api = cluster.apiServer();
            LocalNode localNode = cluster.attach(LocalNode.start(api.adminClient(), api.tokens()::issue,
                    node.withApiServer(new NodeOptions.ApiAccess(bridgeIp, api.port(), api.caCertificatePem()))));
            api.setPodLogProvider(localNode);
            api.setMutatingAdmission(StoredAdmission.over(api, java.util.Map.of()));
            cluster.attach(ServiceProxy.start(api.adminClient(), node.podCidr()));
            return new Cluster(cluster, localNode, meshRoot);
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The first host address of an IPv4 CIDR (the bridge's): 10.244.0.0/16 gives 10.244.0.1. */
    static String firstHost(String cidr) {
        String[] octets = cidr.split("/")[0].split("\\.");
        return octets[0] + "." + octets[1] + "." + octets[2] + "." + (Integer.parseInt(octets[3]) + 1);
    }

    /** Step 3: {@code meshctl install --set profile=demo -y}, as a user runs it, against this cluster. */
    public void installControlPlane(Duration timeout) throws IOException, InterruptedException {
        step("Step 3: meshctl install --set profile=demo -y");
        int code = meshctl("install", "--set", "profile=demo", "-y", "--readiness-timeout", timeout.toSeconds() + "s");
        if (code != 0) {
            throw new IllegalStateException("meshctl install exited with " + code);
        }
        printPods("istio-system");
        Service gateway = client().services().inNamespace("istio-system").withName("istio-ingressgateway").get();
        out.println("istio-ingressgateway: type " + gateway.getSpec().getType() + ", EXTERNAL-IP "
                + externalIp().orElse("<pending>"));
    }

    /** Step 4: the demo namespace, labelled for injection. */
    public void createNamespace() {
        step("Step 4: kubectl create namespace demo; kubectl label namespace demo istio-injection=enabled");
        client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(DEMO_NS)
                .addToLabels("istio-injection", "enabled").endMetadata().build())
                .createOr(NonDeletingOperation::update);
    }

    /** Step 5: podinfo v1 and v2 and their Service, waited for until READY 2/2. */
    public void deployPodinfo(Duration timeout) throws IOException, InterruptedException {
        step("Step 5: kubectl apply -f podinfo-v1.yaml -f podinfo-v2.yaml -f podinfo-svc.yaml");
        apply("podinfo-v1.yaml", "podinfo-v2.yaml", "podinfo-svc.yaml");
        await(timeout, "podinfo v1 and v2 READY 2/2", () -> readyPods(DEMO_NS, "app", "podinfo") >= 2);
        printPods(DEMO_NS);
    }

    /** Step 6: STRICT mTLS in the namespace. */
    public void enableStrictMtls() throws IOException {
        step("Step 6: kubectl apply -f peer-authentication.yaml");
        apply("peer-authentication.yaml");
    }

    /** Step 7: Gateway, DestinationRule and the 90/10 VirtualService. */
    public void routeCanary() throws IOException {
        step("Step 7: kubectl apply -f gateway.yaml -f destination-rule.yaml -f virtualservice-canary.yaml");
        apply("gateway.yaml", "destination-rule.yaml", "virtualservice-canary.yaml");
    }

    /**
     * Sends {@code n} requests to {@code http://<EXTERNAL-IP>/version} and counts the versions answered; waits
     * first (up to {@code timeout}) until the route answers at all, since configuration reaches proxies
     * asynchronously.
     */
    public Map<String, Integer> countVersions(int n, Duration timeout) throws InterruptedException {
        step("for i in $(seq 1 " + n + "); do curl -s http://$INGRESS_LB_IP/version | jq -r .version; done"
                + " | sort | uniq -c");
        String ip = externalIp().orElseThrow(() -> new IllegalStateException(
                "the istio-ingressgateway Service has no EXTERNAL-IP"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://" + ip + "/version");
        await(timeout, "the gateway answering " + uri, () -> version(http, uri).isPresent());
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(version(http, uri).orElse("(failed)"), 1, Integer::sum);
        }
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.printf("%7d %s%n", e.getValue(), e.getKey()));
        return counts;
    }

    private static java.util.Optional<String> version(HttpClient http, URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = VERSION.matcher(response.body());
            return response.statusCode() == 200 && m.find() ? java.util.Optional.of(m.group(1))
                    : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    /** The ingress gateway Service's load-balancer address. */
    public java.util.Optional<String> externalIp() {
        Service gateway = client().services().inNamespace("istio-system").withName("istio-ingressgateway").get();
        if (gateway == null || gateway.getStatus() == null || gateway.getStatus().getLoadBalancer() == null
                || gateway.getStatus().getLoadBalancer().getIngress().isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(gateway.getStatus().getLoadBalancer().getIngress().get(0).getIp());
    }

    /**
     * Step 8: the address of the graph page telemetry serves for the demo namespace (a telemetry pod's address,
     * which the host reaches on the local cluster), once a telemetry pod runs.
     */
    public java.util.Optional<String> graphPage() {
        return client().pods().inNamespace("istio-system").withLabel("app", "telemetry").list().getItems().stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
                .findFirst().map(p -> "http://" + p.getStatus().getPodIP() + ":20001/?namespace=" + DEMO_NS
                        + "&graphType=versionedApp&duration=60s");
    }

    /** Applies walkthrough manifests from samples/walkthrough (created, or replaced when they exist). */
    public void apply(String... files) throws IOException {
        for (String file : files) {
            Path path = meshRoot.resolve("samples/walkthrough").resolve(file);
            try (InputStream in = Files.newInputStream(path)) {
                for (HasMetadata object : apply(in)) {
                    out.println(object.getKind().toLowerCase(java.util.Locale.ROOT) + "/"
                            + object.getMetadata().getName() + " configured");
                }
            }
        }
    }

    /** Applies the objects of a YAML text (created, or replaced when they exist), as {@code kubectl apply -f -}. */
    public void applyYaml(String yaml) throws IOException {
        try (InputStream in = new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            apply(in);
        }
    }

    private List<HasMetadata> apply(InputStream in) {
        List<HasMetadata> objects = client().load(in).items();
        for (HasMetadata object : objects) {
            // The local API server has no server-side apply; create, or replace what exists.
            client().resource(object).createOr(NonDeletingOperation::update);
        }
        return objects;
    }

    /** Pods of {@code namespace} with {@code label=value} whose every container is ready. */
    public int readyPods(String namespace, String label, String value) {
        int ready = 0;
        for (Pod pod : client().pods().inNamespace(namespace).withLabel(label, value).list().getItems()) {
            if (pod.getStatus() != null && !pod.getStatus().getContainerStatuses().isEmpty()
                    && pod.getStatus().getContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()))) {
                ready++;
            }
        }
        return ready;
    }

    /** kubectl's READY column: ready containers / containers, e.g. {@code 2/2}. */
    public static String readyColumn(Pod pod) {
        long ready = pod.getStatus() == null ? 0 : pod.getStatus().getContainerStatuses().stream()
                .filter(c -> Boolean.TRUE.equals(c.getReady())).count();
        return ready + "/" + pod.getSpec().getContainers().size();
    }

    /** {@code kubectl get pods}: NAME, READY, STATUS. */
    public void printPods(String namespace) {
        out.printf("%-50s %-7s %s%n", "NAME", "READY", "STATUS");
        for (Pod pod : client().pods().inNamespace(namespace).list().getItems()) {
            out.printf("%-50s %-7s %s%n", pod.getMetadata().getName(), readyColumn(pod),
                    pod.getStatus() == null ? "Pending" : pod.getStatus().getPhase());
        }
    }

    /**
     * Runs {@code command} in a pod as {@code uid} (an app's uid, not the proxy's 1337, so its traffic is captured
     * like the app's), as {@code kubectl exec} would; returns its exit code and output.
     */
    public Exec exec(String namespace, String pod, int uid, String... command) throws IOException, InterruptedException {
        return podExec.exec(namespace, pod, uid, command);
    }

    /** On the local node a pod is a network namespace: the command runs in it, as {@code uid}. */
    static PodExec localExec(LocalNode node) {
        return (namespace, pod, uid, command) -> {
            String netns = node.networkNamespace(namespace, pod).orElseThrow(() -> new IllegalStateException(
                    "pod " + namespace + "/" + pod + " is not running on the local node"));
            List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns, "setpriv", "--reuid",
                    String.valueOf(uid), "--regid", String.valueOf(uid), "--clear-groups"));
            argv.addAll(List.of(command));
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new Exec(process.waitFor(), output);
        };
    }

    /** A finished command: exit code and output (stdout and stderr together). */
    public record Exec(int code, String output) {
    }

    /** Runs the packaged meshctl against this cluster, its output passed through. */
    public int meshctl(String... args) throws IOException, InterruptedException {
        Process process = startMeshctl(args);
        process.getInputStream().transferTo(out);
        return process.waitFor();
    }

    /** Runs the packaged meshctl against this cluster; returns its exit code and output (stdout and stderr). */
    public Exec meshctlOutput(String... args) throws IOException, InterruptedException {
        Process process = startMeshctl(args);
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Exec(process.waitFor(), output);
    }

    private Process startMeshctl(String... args) throws IOException {
        List<String> argv = meshctlCommand(meshRoot, args);
        argv.addAll(List.of("--kubeconfig", kubeconfig.toString()));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    /** The command line of the packaged meshctl ({@code java -jar cli/target/quarkus-app/quarkus-run.jar args}). */
    public static List<String> meshctlCommand(Path meshRoot, String... args) {
        Path jar = meshRoot.resolve("cli/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build meshctl first (./mvnw -pl cli -am package)");
        }
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString()));
        argv.addAll(List.of(args));
        return argv;
    }

    private KubernetesClient client() {
        return client;
    }

    private void step(String title) {
        out.println();
        out.println("==> " + title);
    }

    /** Polls {@code condition} every 250 ms until it holds or {@code timeout} passes (then fails naming it). */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + "s waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}
