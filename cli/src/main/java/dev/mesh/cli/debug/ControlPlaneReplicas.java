package dev.mesh.cli.debug;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The debug HTTP endpoints of a control-plane service's replicas (the config-distributor's {@code /debug/*} on
 * port 15014), found as the pods of the mesh namespace labelled {@code app=<service>}. Each replica is asked
 * directly at its pod IP first (works from inside the cluster network, and on the local cluster); when that
 * cannot connect, through the API server's pod proxy subresource, which works from anywhere kubectl works.
 */
public final class ControlPlaneReplicas {

    public static final String DISTRIBUTOR = "config-distributor";
    public static final int DISTRIBUTOR_HTTP_PORT = 15014;
    static final String MONITORING_PORT_NAME = "http-monitoring";

    private final KubernetesClient client;
    private final String namespace;
    private final HttpClient direct;
    private final Duration requestTimeout;

    public ControlPlaneReplicas(KubernetesClient client, String namespace, Duration connectTimeout,
            Duration requestTimeout) {
        this.client = client;
        this.namespace = namespace;
        this.direct = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.requestTimeout = requestTimeout;
    }

    /** One replica: its pod, pod IP (may be empty while pending), debug port and readiness. */
    public record Replica(String pod, String podIp, int port, boolean ready) {
    }

    /** What a replica answered, and how it was reached ({@code via} is the URL asked). */
    public record Reply(Replica replica, int status, String body, String via) {
        public boolean ok() {
            return status == 200;
        }
    }

    /** The pods of {@code app=<service>} in the mesh namespace, ready ones first, each in name order. */
    public List<Replica> replicas(String service) {
        List<Pod> pods = client.pods().inNamespace(namespace).withLabel("app", service).list().getItems();
        return pods.stream().map(ControlPlaneReplicas::replica)
                .sorted(Comparator.comparing((Replica r) -> !r.ready()).thenComparing(Replica::pod)).toList();
    }

    private static Replica replica(Pod pod) {
        int port = pod.getSpec() == null ? DISTRIBUTOR_HTTP_PORT : pod.getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(p -> MONITORING_PORT_NAME.equals(p.getName())).map(ContainerPort::getContainerPort)
                .filter(Objects::nonNull).findFirst().orElse(DISTRIBUTOR_HTTP_PORT);
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        String ip = pod.getStatus() == null || pod.getStatus().getPodIP() == null ? "" : pod.getStatus().getPodIP();
        return new Replica(pod.getMetadata().getName(), ip, port, ready);
    }

    /**
     * GETs {@code pathAndQuery} (for instance {@code /debug/syncz}) from a replica: directly, else through the
     * API server.
     *
     * @throws IOException when neither way reaches it, with both reasons
     */
    public Reply get(Replica replica, String pathAndQuery) throws IOException {
        String directFailure = "it has no pod IP yet";
        if (!replica.podIp().isEmpty()) {
            String host = replica.podIp().contains(":") ? "[" + replica.podIp() + "]" : replica.podIp();
            URI uri = URI.create("http://" + host + ":" + replica.port() + pathAndQuery);
            try {
                HttpResponse<String> response = direct.send(HttpRequest.newBuilder(uri).timeout(requestTimeout)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                return new Reply(replica, response.statusCode(), response.body(), uri.toString());
            } catch (IOException e) {
                directFailure = uri + ": " + describe(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking " + uri, e);
            }
        }
        String proxied = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + namespace
                + "/pods/" + replica.pod() + ":" + replica.port() + "/proxy" + pathAndQuery;
        var http = client.getHttpClient();
        try {
            var response = http.sendAsync(http.newHttpRequestBuilder().uri(proxied)
                    .timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).build(), String.class)
                    .get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Reply(replica, response.code(), response.body(), proxied);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("cannot reach " + replica.pod() + " directly (" + directFailure
                    + ") nor through the API server's pod proxy (" + proxied + ": " + describe(cause) + ")", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + proxied, e);
        }
    }

    /** GETs {@code http://<hostPort><pathAndQuery>}: the {@code --xds-address} and {@code --proxy-admin} flags. */
    public static Reply getAddress(String hostPort, String pathAndQuery, Duration connectTimeout,
            Duration requestTimeout) throws IOException {
        URI uri = URI.create("http://" + hostPort + pathAndQuery);
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(connectTimeout).build()
                    .send(HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
            return new Reply(new Replica(hostPort, "", 0, true), response.statusCode(), response.body(),
                    uri.toString());
        } catch (IOException e) {
            throw new IOException("cannot reach " + uri + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + uri, e);
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " " + message);
    }
}
