package dev.mesh.proxy.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.model.ForwardedFor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestViewsTest {

    @Test
    void viewOfARealRequest() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<RequestView> seen = new CompletableFuture<>();
            int port = vertx.createHttpServer().requestHandler(req -> {
                seen.complete(RequestViews.of(req, 9080, "10.244.4.2", Optional.empty(), ForwardedFor.ENVOY_DEFAULT));
                req.response().end();
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            vertx.createHttpClient().request(new RequestOptions().setMethod(HttpMethod.DELETE).setHost("127.0.0.1")
                    .setPort(port).setURI("/admin/x?y=1").putHeader("X-Version", "v1").addHeader("x-version", "v2")
                    .putHeader("x-forwarded-for", "192.0.2.7, 10.0.0.1"))
                    .compose(r -> r.send()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            RequestView view = seen.get(10, TimeUnit.SECONDS);
            assertThat(view.header(":method")).isEqualTo("DELETE");
            assertThat(view.pathWithoutQuery()).isEqualTo("/admin/x");
            assertThat(view.header(":authority")).isEqualTo("127.0.0.1:" + port);
            assertThat(view.header("x-version")).isEqualTo("v1,v2");
            assertThat(view.directRemoteIp()).isEqualTo("127.0.0.1");
            // Envoy's default (use_remote_address false, no trusted hops): the rightmost XFF entry, not the client's first.
            assertThat(view.remoteIp()).isEqualTo("10.0.0.1");
            assertThat(view.destinationPort()).isEqualTo(9080);
            assertThat(view.peerPrincipal()).isEmpty();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
