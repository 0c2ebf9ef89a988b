package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.testing.TestCa;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inbound path as the sidecar's capture listener runs it, minus iptables: a TCP listener terminates TLS per the
 * distributor's chains (authorization golden for ratings: PERMISSIVE on 9080 with RBAC), hands the bytes to an
 * HTTP router over PROXY protocol, and the router applies RBAC and XFCC before the application would see the request.
 */
class InboundSecurityTest {

    static final Clock CLOCK = Clock.systemUTC();
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";
    static final int SERVICE_PORT = 9080;
    /** The original destination port the test's captured connections had. */
    volatile int destinationPort = SERVICE_PORT;

    final Vertx vertx = Vertx.vertx();
    final TestCa ca = new TestCa("mesh", CLOCK);
    final CertificateStore ratings = CertificateStore.of(ca.issue(RATINGS, Duration.ofHours(1)));
    final NioEventLoopGroup clients = new NioEventLoopGroup(1);
    InboundSecurity security;
    int capturePort;

    @BeforeEach
    void start() throws Exception {
        MeshInbound plan = MeshInbound.from(DistributorGoldens.load("authorization/ratings-1.json", "LDS"),
                new SecretResolver(ratings), CLOCK);
        security = new InboundSecurity(() -> plan, () -> Xfcc.localUri(ratings.current().get().leaf()));
        // The router: PROXY protocol in, RBAC and XFCC, then what the application would receive.
        int routerPort = await(vertx.createHttpServer(new HttpServerOptions().setUseProxyProtocol(true))
                .requestHandler(req -> {
                    if (security.admit(req, SERVICE_PORT, "10.244.4.2")) {
                        req.response().end("app saw xfcc=" + req.getHeader(Xfcc.HEADER));
                    }
                }).listen(0, "127.0.0.1")).actualPort();
        NetClient relay = vertx.createNetClient();
        NetServer capture = vertx.createNetServer();
        capture.connectHandler(down -> {
            boolean handled = security.accept(down, destinationPort, (chain, outcome) -> toRouter(down, relay, routerPort));
            if (!handled) {
                toRouter(down, relay, routerPort);
            }
        });
        capturePort = await(capture.listen(0, "127.0.0.1")).actualPort();
    }

    private static void toRouter(NetSocket down, NetClient relay, int routerPort) {
        down.pause();
        relay.connect(routerPort, "127.0.0.1").onSuccess(up -> {
            var src = down.remoteAddress();
            up.write(Buffer.buffer("PROXY TCP4 " + src.hostAddress() + " 10.244.4.2 " + src.port() + " " + SERVICE_PORT
                    + "\r\n"));
            down.pipeTo(up);
            up.pipeTo(down);
        }).onFailure(e -> down.close());
    }

    @AfterEach
    void stop() throws Exception {
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        await(vertx.close());
    }

    static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** One HTTP/1.1 request on a new connection, with or without mutual TLS; the raw response. */
    String get(String path, CertificateStore client, String xfcc) throws Exception {
        SslContext tls = client == null ? null : ClientTlsSettings.from(MeshContexts.outbound("", List.of("istio"),
                List.of(RATINGS), true), new SecretResolver(client), CLOCK, "client").nettyContext();
        BlockingQueue<String> response = new ArrayBlockingQueue<>(1);
        StringBuilder received = new StringBuilder();
        Channel ch = new Bootstrap().group(clients).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        if (tls != null) {
                            c.pipeline().addLast(tls.newHandler(c.alloc(), "127.0.0.1", capturePort));
                        }
                        c.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                received.append(msg.toString(StandardCharsets.UTF_8));
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                response.add(received.toString());
                            }
                        });
                    }
                }).connect("127.0.0.1", capturePort).sync().channel();
        ch.writeAndFlush(Unpooled.copiedBuffer("GET " + path + " HTTP/1.1\r\nHost: ratings.shop:9080\r\nx-version: v1\r\n"
                + (xfcc == null ? "" : "x-forwarded-client-cert: " + xfcc + "\r\n") + "Connection: close\r\n\r\n",
                StandardCharsets.US_ASCII));
        String answer = response.poll(10, TimeUnit.SECONDS);
        assertThat(answer).as("response to " + path).isNotNull();
        return answer;
    }

    @Test
    void mutualTls_allowedByPrincipal_appSeesXfccWithBothIdentities() throws Exception {
        String answer = get("/ratings/1", CertificateStore.of(ca.issue(REVIEWS, Duration.ofHours(1))), null);
        assertThat(answer).startsWith("HTTP/1.1 200").contains("app saw xfcc=By=" + RATINGS + ";Hash=")
                .contains(";Subject=\"\";URI=" + REVIEWS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (security.peers().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(security.peers().size()).as("registry entry gone with the connection").isZero();
    }

    @Test
    void mutualTls_deniedByPath() throws Exception {
        String answer = get("/admin", CertificateStore.of(ca.issue(REVIEWS, Duration.ofHours(1))), null);
        assertThat(answer).startsWith("HTTP/1.1 403").endsWith("RBAC: access denied");
    }

    @Test
    void otherPrincipal_deniedByDefault() throws Exception {
        String answer = get("/ratings/1", CertificateStore.of(ca.issue("spiffe://cluster.local/ns/shop/sa/productpage",
                Duration.ofHours(1))), null);
        assertThat(answer).startsWith("HTTP/1.1 403").endsWith("RBAC: access denied");
    }

    @Test
    void tcpChain_networkRbac_refusesByClosing_denyFirst() throws Exception {
        // On the TCP port 9090 the distributor turns deny-admin's HTTP-only rule into "deny any" (Istio's stricter
        // DENY for TCP), so even the namespace the ALLOW policy names is refused; the connection is closed.
        destinationPort = 9090;
        String prometheus = "spiffe://cluster.local/ns/monitoring/sa/prometheus";
        assertThat(get("/", CertificateStore.of(ca.issue(prometheus, Duration.ofHours(1))), null)).isEmpty();
        assertThat(get("/", null, null)).as("plain text too").isEmpty();
        MeshInbound plan = MeshInbound.from(DistributorGoldens.load("authorization/ratings-1.json", "LDS"),
                new SecretResolver(ratings), CLOCK);
        var chain = plan.byName().get("inbound|9090||tls");
        assertThat(chain.network().check(dev.mesh.proxy.rbac.RequestView.connection(9090, "",
                java.util.Optional.of(prometheus), "10.244.9.9", "")))
                .hasValueSatisfying(d -> assertThat(d.reason()).contains("deny-admin"));
    }

    @Test
    void plainText_withRbac_isDenied_forPermissiveWithoutRbac_isServed_andForgedXfccNeverReachesTheApp()
            throws Exception {
        assertThat(get("/ratings/1", null, "By=x;URI=" + REVIEWS)).startsWith("HTTP/1.1 403");

        MeshInbound permissive = MeshInbound.from(DistributorGoldens.load("peer-authentication/ratings-1.json", "LDS"),
                new SecretResolver(ratings), CLOCK);
        security = new InboundSecurity(() -> permissive, () -> Xfcc.localUri(ratings.current().get().leaf()));
        assertThat(get("/ratings/1", null, "By=spiffe://forged;URI=" + REVIEWS)).startsWith("HTTP/1.1 200")
                .endsWith("app saw xfcc=null");
        assertThat(get("/ratings/1", CertificateStore.of(ca.issue(REVIEWS, Duration.ofHours(1))), "By=upstream"))
                .startsWith("HTTP/1.1 200").contains("app saw xfcc=By=upstream,By=" + RATINGS);
    }
}
