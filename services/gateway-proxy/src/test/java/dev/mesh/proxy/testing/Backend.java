package dev.mesh.proxy.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend on loopback. Answers 200 with its name as body and {@code x-backend}; echoes what it
 * received in {@code x-seen-*} headers; {@code /delay/<ms>} answers late; {@link #failNext} makes the next
 * requests answer 503.
 */
public final class Backend implements AutoCloseable {

    public record Seen(String path, String host, String xff, String requestId, String hopByHop, String version,
            io.vertx.core.MultiMap headers) {}

    public final String name;
    public final AtomicInteger hits = new AtomicInteger();
    public final AtomicInteger failNext = new AtomicInteger();
    public final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final HttpServer server;
    private Vertx vertx;

    private Backend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    public static Backend start(Vertx vertx, String name) throws Exception {
        HttpServer server = vertx.createHttpServer();
        Backend b = new Backend(name, server);
        b.vertx = vertx;
        server.requestHandler(b::handle);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return b;
    }

    public int port() {
        return server.actualPort();
    }

    public String endpoint() {
        return name + "@" + port();
    }

    private void handle(HttpServerRequest req) {
        hits.incrementAndGet();
        seen.add(new Seen(req.uri(), req.authority() == null ? null : req.authority().toString(),
                req.getHeader("x-forwarded-for"), req.getHeader("x-request-id"), req.getHeader("x-hop"),
                req.version().name(), io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(req.headers())));
        req.body().onSuccess(body -> {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                req.response().setStatusCode(503).end("backend " + name + " failing");
                return;
            }
            Runnable answer = () -> {
                var resp = req.response().putHeader("x-backend", name);
                if (req.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
                    resp.putTrailer("x-trailer", "from-" + name);
                } else {
                    resp.putHeader("connection", "keep-alive");
                }
                resp.end(body.length() > 0 ? name + ":" + body : name);
            };
            if (req.path().startsWith("/delay/")) {
                vertx.setTimer(Long.parseLong(req.path().substring(7)), t -> answer.run());
            } else {
                answer.run();
            }
        });
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
