package dev.mesh.cli.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's API server mock in CRUD mode, plus the pods' {@code proxy} subresource: a request to
 * {@code /api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/<path>} is forwarded to the loopback address registered
 * for that pod, as the API server forwards it to the pod. Also writes a kubeconfig pointing at it.
 */
public final class MockCluster implements AutoCloseable {

    private static final Pattern POD_PROXY = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/:]+):(\\d+)/proxy(/.*)");

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Path kubeconfig;
    private final Map<String, String> podProxyTargets = new ConcurrentHashMap<>();
    /** The paths asked through the pod proxy, in order. */
    public final List<String> proxiedPaths = new CopyOnWriteArrayList<>();

    public MockCluster(Path dir) throws IOException {
        this(dir, path -> false);
    }

    /**
     * A cluster whose API server answers 404 to every request whose path {@code notServed} accepts, as a real one
     * answers for an API group whose CRDs are not installed (the mock serves any path).
     */
    public MockCluster(Path dir, Predicate<String> notServed) throws IOException {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (notServed.test(request.getPath())) {
                    return new MockResponse().setResponseCode(404).setBody("""
                            {"kind":"Status","apiVersion":"v1","status":"Failure",\
                            "message":"the server could not find the requested resource","reason":"NotFound","code":404}""");
                }
                Matcher m = POD_PROXY.matcher(request.getPath());
                if (m.matches()) {
                    return proxy(m.group(1) + "/" + m.group(2) + ":" + m.group(3), m.group(4));
                }
                return super.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), crud, false);
        server.init();
        client = server.createClient();
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: test, user: {token: test}}]
                contexts: [{name: mock, context: {cluster: mock, user: test}}]
                current-context: mock
                """.formatted(client.getMasterUrl()));
    }

    private MockResponse proxy(String podAndPort, String pathAndQuery) {
        proxiedPaths.add(podAndPort + pathAndQuery);
        String target = podProxyTargets.get(podAndPort);
        if (target == null) {
            return new MockResponse().setResponseCode(503).setBody("error trying to reach service: no endpoint");
        }
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(target + pathAndQuery)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new MockResponse().setResponseCode(response.statusCode()).setBody(response.body());
        } catch (IOException | InterruptedException e) {
            return new MockResponse().setResponseCode(502).setBody(e.toString());
        }
    }

    /** Requests to {@code <namespace>/<pod>:<port>} through the pod proxy go to {@code baseUrl}. */
    public void proxyPodTo(String namespace, String pod, int port, String baseUrl) {
        podProxyTargets.put(namespace + "/" + pod + ":" + port, baseUrl);
    }

    public KubernetesClient client() {
        return client;
    }

    public String kubeconfig() {
        return kubeconfig.toString();
    }

    /** A running, ready pod of {@code app=<app>} at {@code ip}, its {@code http-monitoring} port {@code port}. */
    public Pod controlPlanePod(String namespace, String name, String app, String ip, int port, boolean ready) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName(app).withImage("mesh/" + app + ":0.1.0")
                .addNewPort().withName("http-monitoring").withContainerPort(port).endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus()
                .build();
        return client.pods().inNamespace(namespace).resource(pod).create();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
