package dev.mesh.cluster.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** The HTTPS front of the local API server. */
final class ApiFront implements AutoCloseable {

    record Settings(String bindHost, int port, ServingTls tls, String storeUrl, String adminToken, TokenIssuer tokens,
            Clock clock) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClient store = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Settings settings;
    private volatile PodLogProvider logs;

    private ApiFront(Settings settings) {
        this.settings = settings;
        this.vertx = Vertx.vertx();
        HttpServerOptions opts = new HttpServerOptions().setSsl(true).setHost(settings.bindHost()).setPort(settings.port())
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(settings.tls().certificatePem()))
                        .setKeyValue(Buffer.buffer(settings.tls().privateKeyPem())));
        this.server = vertx.createHttpServer(opts).requestHandler(req -> req.body().onSuccess(body ->
                vertx.executeBlocking(() -> {
                    HttpResponse<byte[]> r = store.send(HttpRequest.newBuilder(URI.create(settings.storeUrl() + req.uri()))
                            .method(req.method().name(), HttpRequest.BodyPublishers.ofByteArray(body.getBytes()))
                            .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofByteArray());
                    return r;
                }, false).onSuccess(r -> req.response().setStatusCode(r.statusCode())
                        .putHeader("Content-Type", "application/json").end(Buffer.buffer(r.body())))
                        .onFailure(e -> req.response().setStatusCode(500).end(String.valueOf(e)))));
    }

    static ApiFront start(Settings settings) {
        ApiFront f = new ApiFront(settings);
        try {
            f.server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            f.close();
            throw new IllegalStateException("cannot listen on " + settings.bindHost() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        return f;
    }

    int port() {
        return server.actualPort();
    }

    void setPodLogProvider(PodLogProvider provider) {
        this.logs = provider;
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
