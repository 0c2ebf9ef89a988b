package dev.mesh.proxy.testing;

import dev.mesh.proxy.GatewayProxy;
import dev.mesh.proxy.xds.NodeIdentity;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Starts a proxy in router mode against a {@link FakeControlPlane}, with a client to send it requests. */
public final class ProxyHarness {

    public record Response(int status, MultiMap headers, String body) {}

    private ProxyHarness() {}

    public static GatewayProxy startProxy(Vertx vertx, String discoveryAddress, Path savedConfig, Duration initialFetchTimeout)
            throws Exception {
        return startProxy(vertx, discoveryAddress, savedConfig, initialFetchTimeout, savedConfig.resolveSibling("credentials"));
    }

    /** With TLS certificates for SDS names under {@code credentialsDir}. */
    public static GatewayProxy startProxy(Vertx vertx, String discoveryAddress, Path savedConfig, Duration initialFetchTimeout,
            Path credentialsDir) throws Exception {
        NodeIdentity node = new NodeIdentity("router", "istio-ingressgateway-584467857d-h8gtc", "istio-system", "127.0.0.1",
                Map.of("app", "istio-ingressgateway", "istio", "ingressgateway"), "istio-ingressgateway-service-account",
                "istio-ingressgateway", "Kubernetes");
        GatewayProxy proxy = new GatewayProxy(vertx, new GatewayProxy.Options(node, discoveryAddress, savedConfig,
                initialFetchTimeout, Duration.ofMillis(50), Duration.ofMillis(300), 65536, "127.0.0.1", 0, 0, 0, false, 0, 0, credentialsDir, false),
                Clock.systemUTC());
        proxy.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return proxy;
    }

    /** The event loop each test client is driven from; see {@link #onContext}. */
    private static final Map<HttpClient, Context> CONTEXTS = new java.util.concurrent.ConcurrentHashMap<>();

    public static HttpClient client(Vertx vertx, boolean h2c) {
        HttpClientOptions o = new HttpClientOptions().setKeepAlive(true);
        if (h2c) {
            o.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
        }
        HttpClient client = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(-1));
        CONTEXTS.put(client, ((io.vertx.core.impl.VertxInternal) vertx).createEventLoopContext());
        return client;
    }

    /**
     * Runs a client call on the client's event loop. Chaining Vert.x futures from the test thread races with
     * the event loop: a fast response can end before the test thread has asked for its body, and the body
     * is then lost.
     */
    public static <T> CompletableFuture<T> onContext(HttpClient client, java.util.function.Supplier<io.vertx.core.Future<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CONTEXTS.get(client).runOnContext(v -> call.get().onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
            } else {
                result.completeExceptionally(ar.cause());
            }
        }));
        return result;
    }

    public static CompletableFuture<Response> send(HttpClient client, int port, String authority, String path,
            Map<String, String> headers) {
        return send(client, port, authority, HttpMethod.GET, path, headers, null);
    }

    public static CompletableFuture<Response> send(HttpClient client, int port, String authority, HttpMethod method,
            String path, Map<String, String> headers, String body) {
        RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(path).setMethod(method);
        headers.forEach(o::putHeader);
        return onContext(client, () -> client.request(o).compose(r -> {
            r.authority(io.vertx.core.net.HostAndPort.parseAuthority(authority, -1));
            return body == null ? r.send() : r.send(Buffer.buffer(body));
        }).compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b.toString()))));
    }

    public static Response get(HttpClient client, int port, String authority, String path, Map<String, String> headers)
            throws Exception {
        return send(client, port, authority, path, headers).get(10, TimeUnit.SECONDS);
    }

    public static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
