package dev.mesh.injector.http;

import dev.mesh.injector.tls.ServingCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The HTTPS server the API server calls: {@code POST /inject} (and {@code /inject/}) for AdmissionReviews,
 * {@code GET /healthz/ready} for probes. Its key and certificate are PEM held in memory and can be swapped while
 * it serves ({@link #updateCertificate}). Bodies are read up to the size limit; beyond it the rest is discarded
 * and the answer is 400. The review is handled off the event loop (a namespace lookup may call the API server).
 */
public final class WebhookServer {

    private static final Logger LOG = Logger.getLogger(WebhookServer.class);

    private final Vertx vertx;
    private final AdmissionHandler handler;
    private final int maxRequestBytes;
    private final BooleanSupplier ready;
    private HttpServer server;

    public WebhookServer(Vertx vertx, AdmissionHandler handler, int maxRequestBytes, BooleanSupplier ready) {
        this.vertx = vertx;
        this.handler = handler;
        this.maxRequestBytes = maxRequestBytes;
        this.ready = ready;
    }

    public Future<Integer> start(String host, int port, ServingCertificate certificate) {
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setKeyCertOptions(keyCert(certificate))
                .setHost(host).setPort(port);
        server = vertx.createHttpServer(options).requestHandler(this::route);
        return server.listen().map(HttpServer::actualPort);
    }

    /** Serves new connections with the new certificate; open connections keep theirs. */
    public Future<Boolean> updateCertificate(ServingCertificate certificate) {
        return server.updateSSLOptions(new SSLOptions().setKeyCertOptions(keyCert(certificate)));
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private static PemKeyCertOptions keyCert(ServingCertificate c) {
        return new PemKeyCertOptions().setKeyValue(Buffer.buffer(c.privateKeyPem()))
                .setCertValue(Buffer.buffer(c.certificatePem() + c.caPem()));
    }

    private void route(HttpServerRequest req) {
        String path = req.path();
        if (path.equals("/healthz/ready") || path.equals("/ready")) {
            boolean up = ready.getAsBoolean();
            req.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "text/plain")
                    .end(up ? "ok\n" : "not ready\n");
            return;
        }
        if (!path.equals("/inject") && !path.equals("/inject/")) {
            text(req, 404, "no such path: " + path + " (the webhook serves POST /inject)");
            return;
        }
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader("Allow", "POST");
            text(req, 405, "use POST for " + path);
            return;
        }
        Buffer body = Buffer.buffer();
        long[] received = {0};
        req.handler(chunk -> {
            received[0] += chunk.length();
            if (received[0] <= maxRequestBytes) {
                body.appendBuffer(chunk);
            }
        });
        req.endHandler(v -> {
            if (received[0] > maxRequestBytes) {
                fail(req, new WebhookException.BadRequest("the body has " + received[0]
                        + " bytes, more than the limit of " + maxRequestBytes));
                return;
            }
            String contentType = req.getHeader("Content-Type");
            vertx.<byte[]>executeBlocking(() -> handler.handle(contentType, body.getBytes()), false)
                    .onSuccess(answer -> req.response().setStatusCode(200)
                            .putHeader("Content-Type", "application/json").end(Buffer.buffer(answer)))
                    .onFailure(error -> fail(req, error));
        });
    }

    private static void fail(HttpServerRequest req, Throwable error) {
        int status = HttpErrors.status(error);
        if (status >= 500) {
            LOG.errorf(error, "%s %s failed", req.method(), req.path());
        }
        text(req, status, HttpErrors.message(error));
    }

    private static void text(HttpServerRequest req, int status, String message) {
        if (req.response().ended()) {
            return;
        }
        req.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(Buffer.buffer(message + "\n", StandardCharsets.UTF_8.name()));
    }
}
