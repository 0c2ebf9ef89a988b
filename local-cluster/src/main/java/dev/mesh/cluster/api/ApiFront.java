package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The HTTPS front of the local API server: authenticates every request (the admin token of the
 * kubeconfig, or a service-account token this cluster issued), then hands it to
 * {@link ApiHandler} on a worker, or for watches to {@link Watches} with a chunked HTTP response
 * (kubectl, client-go) or a websocket (fabric8 clients).
 */
final class ApiFront implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ApiFront.class);

    record Settings(String bindHost, int port, ServingTls tls, String storeUrl, String adminToken, TokenIssuer tokens,
            Clock clock) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Settings settings;
    private final ApiHandler api;
    private final Watches watches;
    private volatile PodLogProvider logs;
    private volatile MutatingAdmission admission;
    private final Store store;

    private ApiFront(Settings settings) {
        this.settings = settings;
        this.vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(32).setBlockedThreadCheckInterval(10_000));
        this.store = new Store(settings.storeUrl());
        this.api = new ApiHandler(store, new ResourceCatalog(store), settings.tokens(), settings.clock(), () -> logs,
                () -> admission);
        this.watches = new Watches(api, settings.storeUrl(), settings.clock());
        HttpServerOptions opts = new HttpServerOptions().setSsl(true).setHost(settings.bindHost()).setPort(settings.port())
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(settings.tls().certificatePem()))
                        .setKeyValue(Buffer.buffer(settings.tls().privateKeyPem())))
                .setMaxWebSocketMessageSize(64 * 1024 * 1024).setMaxWebSocketFrameSize(64 * 1024 * 1024);
        this.server = vertx.createHttpServer(opts).requestHandler(this::handle);
    }

    static ApiFront start(Settings settings) {
        ApiFront f = new ApiFront(settings);
        try {
            f.server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            f.close();
            throw new IllegalStateException("the local API server cannot listen on " + settings.bindHost() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        return f;
    }

    int port() {
        return server.actualPort();
    }

    void setPodLogProvider(PodLogProvider provider) {
        this.logs = provider;
    }

    void setMutatingAdmission(MutatingAdmission chain) {
        this.admission = chain;
    }

    /** The stored object at {@code path} (no admission, no authorization: the server's own view), or null. */
    ObjectNode stored(String path) {
        return store.get(path);
    }

    /** The stored items of the collection {@code path} matching {@code query} (e.g. a labelSelector). */
    java.util.List<JsonNode> storedItems(String path, String query) {
        java.util.List<JsonNode> items = new java.util.ArrayList<>();
        store.list(path, query).path("items").forEach(items::add);
        return items;
    }

    private void handle(HttpServerRequest req) {
        Authentication authn = authenticate(req.getHeader("Authorization"));
        if (authn.user() == null) {
            req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                    .end(ApiException.status(401, "Unauthorized", authn.error()).toString());
            return;
        }
        UserInfo user = authn.user();
        if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            ApiHandler.Call call = call(req, null, user);
            if (isWatch(call)) {
                watch(req, call, true);
            } else {
                req.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(ApiException.status(400,
                        "BadRequest", "websocket upgrade is only served for watches (exec and attach are not supported)").toString());
            }
            return;
        }
        req.body().onSuccess(body -> {
            ApiHandler.Call call = call(req, body, user);
            if (isWatch(call)) {
                watch(req, call, false);
                return;
            }
            vertx.executeBlocking(() -> api.handle(call, "127.0.0.1:" + port()), false).onComplete(ar -> {
                HttpServerResponse resp = req.response();
                if (ar.failed()) {
                    LOG.errorf(ar.cause(), "%s %s failed", call.method(), req.uri());
                    resp.setStatusCode(500).putHeader("Content-Type", "application/json")
                            .end(ApiException.status(500, "InternalError", String.valueOf(ar.cause())).toString());
                    return;
                }
                ApiHandler.Answer a = ar.result();
                resp.setStatusCode(a.code()).putHeader("Content-Type", a.contentType()).end(Buffer.buffer(a.body()));
            });
        }).onFailure(e -> LOG.debugf("reading the body of %s %s failed: %s", req.method(), req.uri(), e.getMessage()));
    }

    /** Who a request is from (its user), or why it is not authenticated (its error). */
    private record Authentication(UserInfo user, String error) {
    }

    /**
     * The admin token is the admin user in {@code system:masters}; a service-account token this cluster issued is
     * {@code system:serviceaccount:<ns>:<sa>} with the service-account groups, as Kubernetes' token authenticator
     * reports it.
     */
    private Authentication authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Authentication(null, "Unauthorized: a bearer token is required (use the kubeconfig the local"
                    + " cluster wrote)");
        }
        String token = authorization.substring(7).trim();
        if (token.equals(settings.adminToken())) {
            return new Authentication(UserInfo.admin(), null);
        }
        TokenIssuer.Verdict v = settings.tokens().verify(token, List.of());
        return v.authenticated() ? new Authentication(new UserInfo(v.username(), v.groups()), null)
                : new Authentication(null, "Unauthorized: " + v.error());
    }

    private static ApiHandler.Call call(HttpServerRequest req, Buffer body, UserInfo user) {
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String raw = q < 0 ? "" : uri.substring(q + 1);
        Map<String, List<String>> query = new LinkedHashMap<>();
        MultiMap params = req.params();
        for (String name : params.names()) {
            query.put(name, new ArrayList<>(params.getAll(name)));
        }
        return new ApiHandler.Call(req.method().name(), URLDecoder.decode(path, StandardCharsets.UTF_8), raw, query,
                req.getHeader("Accept"), req.getHeader("Content-Type"), body == null ? new byte[0] : body.getBytes(), user);
    }

    private static boolean isWatch(ApiHandler.Call c) {
        if (!c.method().equals("GET")) {
            return false;
        }
        String w = c.param("watch");
        return "true".equals(w) || "1".equals(w) || c.path().contains("/watch/");
    }

    private void watch(HttpServerRequest req, ApiHandler.Call call, boolean upgrade) {
        ApiPath path;
        try {
            path = ApiPath.parse(call.path(), api.catalog());
        } catch (ApiException e) {
            req.response().setStatusCode(e.code()).putHeader("Content-Type", "application/json").end(e.toStatus().toString());
            return;
        }
        if (upgrade) {
            req.toWebSocket().onSuccess(ws -> startWatch(call, path, new WebSocketSink(ws), () -> ws.close((short) 1011)))
                    .onFailure(e -> LOG.debugf("websocket upgrade of %s failed: %s", req.uri(), e.getMessage()));
        } else {
            HttpServerResponse resp = req.response();
            resp.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json")
                    .putHeader("Transfer-Encoding", "chunked");
            resp.writeHead();
            startWatch(call, path, new ChunkedSink(resp), () -> resp.reset());
        }
    }

    private void startWatch(ApiHandler.Call call, ApiPath path, Watches.Sink sink, Runnable abort) {
        vertx.executeBlocking(() -> {
            watches.start(call, path, sink);
            return null;
        }, false).onFailure(e -> {
            LOG.debugf("watch %s failed: %s", call.path(), e.getMessage());
            if (e instanceof ApiException ae) {
                sink.send("{\"type\":\"ERROR\",\"object\":" + ae.toStatus() + "}");
                sink.end();
            } else {
                abort.run();
            }
        });
    }

    private static final class ChunkedSink implements Watches.Sink {
        private final HttpServerResponse resp;

        ChunkedSink(HttpServerResponse resp) {
            this.resp = resp;
        }

        @Override
        public void send(String eventJson) {
            if (!resp.ended() && !resp.closed()) {
                resp.write(eventJson + "\n");
            }
        }

        @Override
        public void end() {
            if (!resp.ended() && !resp.closed()) {
                resp.end();
            }
        }

        @Override
        public void onClose(Runnable onClose) {
            resp.closeHandler(v -> onClose.run());
            if (resp.closed()) {
                onClose.run();
            }
        }
    }

    private static final class WebSocketSink implements Watches.Sink {
        private final ServerWebSocket ws;

        WebSocketSink(ServerWebSocket ws) {
            this.ws = ws;
        }

        @Override
        public void send(String eventJson) {
            if (!ws.isClosed()) {
                ws.writeTextMessage(eventJson);
            }
        }

        @Override
        public void end() {
            if (!ws.isClosed()) {
                ws.close();
            }
        }

        @Override
        public void onClose(Runnable onClose) {
            ws.closeHandler(v -> onClose.run());
            if (ws.isClosed()) {
                onClose.run();
            }
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
