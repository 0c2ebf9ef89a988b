package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.testing.TestCa;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ForwardClientCertDetails;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.impl.NetSocketInternal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The same settings on Vert.x: an HTTPS server and client (h2 by ALPN), and TLS termination on a NetSocket. */
class VertxMeshTlsTest {

    static final Clock CLOCK = Clock.systemUTC();
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";
    static final SetCurrentClientCertDetails ISTIO = SetCurrentClientCertDetails.newBuilder()
            .setSubject(com.google.protobuf.BoolValue.of(true)).setUri(true).setDns(true).build();

    final Vertx vertx = Vertx.vertx();
    final TestCa ca = new TestCa("mesh", CLOCK);
    final CertificateStore serverStore = CertificateStore.of(ca.issue(RATINGS, Duration.ofHours(1)));
    final CertificateStore clientStore = CertificateStore.of(ca.issue(REVIEWS, Duration.ofHours(1)));

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    ClientTlsSettings client(List<String> alpn) {
        return ClientTlsSettings.from(MeshContexts.outbound("", alpn, List.of(RATINGS), true),
                new SecretResolver(clientStore), CLOCK, "client");
    }

    @Test
    void httpServerAndClient_mutualTlsOverH2_xfccFromThePeerCertificate() throws Exception {
        ServerTlsSettings server = ServerTlsSettings.from(MeshContexts.inbound("cluster.local"),
                new SecretResolver(serverStore), CLOCK, "inbound");
        String local = Xfcc.localUri(serverStore.current().get().leaf());
        HttpServer http = vertx.createHttpServer(server.applyTo(new HttpServerOptions()));
        http.requestHandler(req -> {
            Optional<PeerIdentity> peer = PeerIdentity.of(req.connection().sslSession());
            String xfcc = Xfcc.apply(req.getHeader(Xfcc.HEADER), ForwardClientCertDetails.APPEND_FORWARD, ISTIO, local,
                    peer).orElse("-");
            req.response().end(req.version() + " " + xfcc);
        });
        int port = await(http.listen(0, "127.0.0.1")).actualPort();

        HttpClient client = vertx.createHttpClient(client(List.of("istio", "h2"))
                .applyTo(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)));
        String body = await(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(port).setURI("/")).compose(r -> r.send()).compose(r -> r.body())).toString();
        assertThat(body).startsWith("HTTP_2 By=" + RATINGS + ";Hash=").endsWith(";Subject=\"\";URI=" + REVIEWS);

        HttpClient noCert = vertx.createHttpClient(ClientTlsSettings.from(MeshContexts.outbound("", List.of("istio"),
                List.of(RATINGS), false), new SecretResolver(clientStore), CLOCK, "client").applyTo(new HttpClientOptions()));
        var refused = noCert.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/"))
                .compose(r -> r.send()).toCompletionStage().toCompletableFuture();
        assertThat(refused).failsWithin(Duration.ofSeconds(10));
    }

    @Test
    void netSocket_permissive_tlsTerminatedInPlace_orPlainText() throws Exception {
        ServerTlsSettings settings = ServerTlsSettings.from(MeshContexts.inbound("cluster.local"),
                new SecretResolver(serverStore), CLOCK, "inbound");
        var context = settings.nettyContext();
        NetServer server = vertx.createNetServer(new NetServerOptions());
        server.connectHandler(socket -> InboundTls.install(((NetSocketInternal) socket).channelHandlerContext().pipeline(),
                context, true, outcome -> socket.handler(data -> socket.write(Buffer.buffer("tls=" + outcome.tls()
                        + " peer=" + outcome.peer().map(PeerIdentity::uri).orElse("-") + " policy="
                        + outcome.securityPolicy() + "\n"))), failure -> { }));
        int port = await(server.listen(0, "127.0.0.1")).actualPort();

        try (TlsPeers.Client tls = new TlsPeers.Client(port, client(List.of("istio")))) {
            assertThat(tls.ask()).isEqualTo("tls=true peer=" + REVIEWS + " policy=mutual_tls");
        }
        try (TlsPeers.Client plain = new TlsPeers.Client(port, null)) {
            assertThat(plain.ask()).isEqualTo("tls=false peer=- policy=none");
        }
    }

    @Test
    void netSocket_strict_plainTextIsClosed() throws Exception {
        var context = ServerTlsSettings.from(MeshContexts.inbound("cluster.local"), new SecretResolver(serverStore),
                CLOCK, "inbound").nettyContext();
        java.util.concurrent.CompletableFuture<Throwable> refusal = new java.util.concurrent.CompletableFuture<>();
        NetServer server = vertx.createNetServer(new NetServerOptions());
        server.connectHandler(socket -> InboundTls.install(((NetSocketInternal) socket).channelHandlerContext().pipeline(),
                context, false, outcome -> socket.handler(data -> socket.write("served\n")), refusal::complete));
        int port = await(server.listen(0, "127.0.0.1")).actualPort();
        try (TlsPeers.Client plain = new TlsPeers.Client(port, null)) {
            assertThat(plain.ask()).isNull();
        }
        assertThat(refusal.get(5, TimeUnit.SECONDS)).hasMessageContaining("plain text on a mutual TLS (STRICT) port");
        try (TlsPeers.Client tls = new TlsPeers.Client(port, client(List.of("istio")))) {
            assertThat(tls.ask()).isEqualTo("served");
        }
    }
}
