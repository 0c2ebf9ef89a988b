package dev.mesh.proxy.capture;

import dev.mesh.proxy.http.Balancers;
import dev.mesh.proxy.http.ClusterBalancer;
import dev.mesh.proxy.http.RouterHandler;
import dev.mesh.proxy.http.Splice;
import dev.mesh.proxy.metrics.ProxyStats;
import dev.mesh.proxy.model.Action;
import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
import dev.mesh.proxy.model.ListenerView;
import dev.mesh.proxy.tls.InboundSecurity;
import dev.mesh.proxy.tls.InboundTls;
import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketInternal;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Sidecar mode: the outbound (15001) and inbound (15006) capture listeners that iptables {@code REDIRECT}s
 * the pod's traffic to. Each accepted connection's original destination ({@link OriginalDst}) picks its
 * listener in the {@link CaptureTable}; then
 * <ul>
 * <li>a TCP listener's connection is spliced to an endpoint of its cluster, or for a passthrough cluster to
 * the original destination (inbound passthrough from 127.0.0.6, as Istio does, so that the pod's
 * {@code -s 127.0.0.6 -o lo -j RETURN} rule keeps it from being captured again);</li>
 * <li>an HTTP listener's connection is handed to the in-process router: spliced to an HTTP server on a Unix
 * socket in a private directory, prefixed with a PROXY protocol v1 header that carries the original source and
 * destination, so the router sees them as the request's remote and local address and routes by them.</li>
 * </ul>
 * A connection that was not redirected (someone connected to 15001 itself) reports the listener's own
 * address as its original destination; it is closed, never proxied to the proxy.
 */
public final class CaptureServers {

    private static final Logger LOG = Logger.getLogger(CaptureServers.class);
    /** Istio's source address for inbound passthrough; the pod's iptables rules never capture it. */
    public static final String INBOUND_PASSTHROUGH_SOURCE = "127.0.0.6";

    /** Ports and who this proxy is, for the labels of its TCP metrics. */
    public record Settings(int outboundPort, int inboundPort, int instances, String workload, String namespace) {}

    private final Vertx vertx;
    private final RouterHandler router;
    private final Balancers balancers;
    private final ProxyStats stats;
    private final Supplier<CaptureTable> table;
    private final Settings settings;
    private final List<NetServer> captureServers = new ArrayList<>();
    private final List<HttpServer> routerServers = new ArrayList<>();
    private final LongAdder notRedirected = new LongAdder();
    private NetClient upstream;
    private NetClient inboundPassthrough;
    private NetClient relay;
    private Path socketDir;
    private SocketAddress outboundRouter;
    private SocketAddress inboundRouter;
    private volatile InboundSecurity inboundSecurity;
    private volatile java.util.function.Function<String, ListenerView> chainViews = name -> null;

    public CaptureServers(Vertx vertx, RouterHandler router, Balancers balancers, ProxyStats stats,
            Supplier<CaptureTable> table, Settings settings) {
        this.vertx = vertx;
        this.router = router;
        this.balancers = balancers;
        this.stats = stats;
        this.table = table;
        this.settings = settings;
    }

    /** Binds both capture ports on 0.0.0.0 and the two router sockets; fails if any cannot be bound. */
    public Future<Void> start() {
        try {
            // Created 0700: only this proxy's user may speak PROXY protocol to its router.
            socketDir = Files.createTempDirectory("mesh-proxy-capture");
        } catch (IOException e) {
            return Future.failedFuture(new IllegalStateException("cannot create the directory for the router sockets: "
                    + e.getMessage(), e));
        }
        outboundRouter = SocketAddress.domainSocketAddress(socketDir.resolve("outbound.sock").toString());
        inboundRouter = SocketAddress.domainSocketAddress(socketDir.resolve("inbound.sock").toString());
        NetClientOptions client = new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(10_000);
        upstream = vertx.createNetClient(client);
        inboundPassthrough = vertx.createNetClient(new NetClientOptions(client).setLocalAddress(INBOUND_PASSTHROUGH_SOURCE));
        relay = vertx.createNetClient(new NetClientOptions());
        List<Future<?>> bound = new ArrayList<>();
        for (int i = 0; i < Math.max(1, settings.instances()); i++) {
            bound.add(routerServer(false).listen(outboundRouter));
            bound.add(routerServer(true).listen(inboundRouter));
            bound.add(captureServer(false).listen(settings.outboundPort(), "0.0.0.0"));
            bound.add(captureServer(true).listen(settings.inboundPort(), "0.0.0.0"));
        }
        return Future.all(bound).<Void>mapEmpty().onSuccess(v -> LOG.infof(
                "sidecar capture: outbound on 0.0.0.0:%d, inbound on 0.0.0.0:%d (iptables REDIRECT, SO_ORIGINAL_DST)",
                settings.outboundPort(), settings.inboundPort()));
    }

    /**
     * Inbound mutual TLS and authorization: TLS is terminated on the capture socket as the destination port's
     * chains say, the chain found by {@code chainViews} (listener views by chain name) serves the connection,
     * and each request passes RBAC and gets its XFCC.
     */
    public void useInboundSecurity(InboundSecurity security, java.util.function.Function<String, ListenerView> chainViews) {
        this.chainViews = chainViews;
        this.inboundSecurity = security;
    }

    /** Connections to a capture port that were not redirected to it, and so were refused. */
    public long notRedirected() {
        return notRedirected.sum();
    }

    private NetServer captureServer(boolean inbound) {
        NetServer server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
        server.connectHandler(socket -> accept(socket, inbound));
        captureServers.add(server);
        return server;
    }

    private HttpServer routerServer(boolean inbound) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setUseProxyProtocol(true)
                .setHttp2ClearTextEnabled(true).setHandle100ContinueAutomatically(false));
        server.requestHandler(inbound ? this::inboundRequest : this::outboundRequest)
                .connectionHandler(router.drain()::track);
        routerServers.add(server);
        return server;
    }

    private void outboundRequest(HttpServerRequest req) {
        SocketAddress dst = req.localAddress();
        router.handle(req, table.get().outbound(dst.hostAddress(), dst.port()), dst);
    }

    private void inboundRequest(HttpServerRequest req) {
        SocketAddress dst = req.localAddress();
        InboundSecurity security = inboundSecurity;
        if (security != null) {
            if (!security.admit(req, dst.port(), dst.hostAddress())) {
                return;
            }
            ListenerView chain = security.chainOf(req, dst.port()).map(c -> chainViews.apply(c.name())).orElse(null);
            InboundTls.Outcome outcome = security.outcome(req);
            router.handle(req, chain != null ? chain : table.get().inbound(dst.port()), dst, outcome);
            return;
        }
        router.handle(req, table.get().inbound(dst.port()), dst);
    }

    private void accept(NetSocket down, boolean inbound) {
        if (router.drain().draining()) {
            down.close();
            return;
        }
        down.pause();
        Channel channel = ((NetSocketInternal) down).channelHandlerContext().channel();
        InetSocketAddress dst;
        try {
            dst = OriginalDst.of(channel);
        } catch (IOException e) {
            LOG.warnf("closing a connection to port %d: %s", inbound ? settings.inboundPort() : settings.outboundPort(),
                    e.getMessage());
            down.close();
            return;
        }
        if (dst.equals(channel.localAddress())) {
            notRedirected.increment();
            LOG.debugf("closing a connection from %s made to %s itself, not redirected by iptables",
                    down.remoteAddress(), dst);
            down.close();
            return;
        }
        InboundSecurity security = inboundSecurity;
        if (inbound && security != null && security.accept(down, dst.getPort(), (chain, outcome) -> serve(down,
                channel, dst, chain.map(chainViews).orElseGet(() -> table.get().inbound(dst.getPort())), true))) {
            return;
        }
        serve(down, channel, dst, inbound ? table.get().inbound(dst.getPort()) : table.get().outbound(dst), inbound);
    }

    private void serve(NetSocket down, Channel channel, InetSocketAddress dst, ListenerView view, boolean inbound) {
        if (view == null) {
            LOG.debugf("closing a connection to %s: no config applied yet", dst);
            down.close();
        } else if (view.listener().http()) {
            toRouter(down, (InetSocketAddress) channel.remoteAddress(), dst, inbound);
        } else {
            tcpProxy(down, dst, view, inbound);
        }
    }

    private void toRouter(NetSocket down, InetSocketAddress src, InetSocketAddress dst, boolean inbound) {
        relay.connect(inbound ? inboundRouter : outboundRouter).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("closing a connection to %s: the router socket refused it: %s", dst, ar.cause().getMessage());
                down.close();
                return;
            }
            NetSocket up = ar.result();
            up.write(Buffer.buffer(proxyHeader(src, dst)));
            Splice.join(down, up, null, null, null);
        });
    }

    /** A PROXY protocol v1 line: {@code PROXY TCP4 <src> <dst> <srcport> <dstport>\r\n}. */
    static String proxyHeader(InetSocketAddress src, InetSocketAddress dst) {
        boolean v4 = src.getAddress() instanceof Inet4Address && dst.getAddress() instanceof Inet4Address;
        return "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + src.getAddress().getHostAddress() + " "
                + dst.getAddress().getHostAddress() + " " + src.getPort() + " " + dst.getPort() + "\r\n";
    }

    private void tcpProxy(NetSocket down, InetSocketAddress dst, ListenerView view, boolean inbound) {
        Action.WeightedCluster chosen = pick(view.listener().tcpClusters());
        ClusterSpec spec = view.clusters().get(chosen.name());
        String reporter = inbound ? "destination" : "source";
        if (spec == null) {
            stats.tcpOpened(labels(reporter, chosen.name(), null, null, "NC")).closed();
            down.close();
            return;
        }
        String host;
        int port;
        ClusterBalancer balancer = null;
        int index = -1;
        if (spec.originalDst()) {
            host = dst.getAddress().getHostAddress();
            port = dst.getPort();
        } else {
            balancer = balancers.forCluster(spec, view.endpoints().get(chosen.name()));
            index = balancer.pick(null, ThreadLocalRandom.current());
            if (index < 0 || !balancer.tryStart(index)) {
                stats.tcpOpened(labels(reporter, serviceOf(spec), spec.serviceNamespace(), null, index < 0 ? "UH" : "UO"))
                        .closed();
                down.close();
                return;
            }
            Endpoint ep = balancer.endpoint(index);
            host = ep.host();
            port = ep.port();
        }
        String workload = index < 0 ? null : balancer.endpoint(index).workload();
        ClusterBalancer b = balancer;
        int i = index;
        NetClient client = inbound && spec.originalDst() ? inboundPassthrough : upstream;
        client.connect(port, host).onComplete(ar -> {
            if (b != null) {
                b.finished(i);
                b.outcome(i, ar.succeeded() ? 200 : 0);
            }
            if (ar.failed()) {
                LOG.debugf("TCP upstream %s:%d of %s failed: %s", host, port, spec.name(), ar.cause().getMessage());
                stats.tcpOpened(labels(reporter, serviceOf(spec), spec.serviceNamespace(), workload, "UF")).closed();
                down.close();
                return;
            }
            ProxyStats.TcpSeries series = stats.tcpOpened(labels(reporter, serviceOf(spec), spec.serviceNamespace(),
                    inbound ? settings.workload() : workload, "-"));
            // Sent is what the proxy sent towards the destination, as Istio counts it.
            Splice.join(down, ar.result(), series.sent, series.received, series::closed);
        });
    }

    private ProxyStats.TcpLabels labels(String reporter, String service, String namespace, String workload, String flags) {
        boolean source = reporter.equals("source");
        return new ProxyStats.TcpLabels(reporter, source ? settings.workload() : null,
                source ? settings.namespace() : null, service, service == null ? null : service.split("\\.")[0],
                namespace != null ? namespace : source ? null : settings.namespace(), workload, flags);
    }

    private static String serviceOf(ClusterSpec spec) {
        return spec.serviceHost() != null ? spec.serviceHost() : spec.name();
    }

    private static Action.WeightedCluster pick(List<Action.WeightedCluster> clusters) {
        if (clusters.size() == 1) {
            return clusters.get(0);
        }
        int total = clusters.stream().mapToInt(Action.WeightedCluster::weight).sum();
        int r = ThreadLocalRandom.current().nextInt(total);
        for (Action.WeightedCluster c : clusters) {
            r -= c.weight();
            if (r < 0) {
                return c;
            }
        }
        return clusters.get(clusters.size() - 1);
    }

    public Future<Void> close() {
        List<Future<?>> closing = new ArrayList<>();
        captureServers.forEach(s -> closing.add(s.close()));
        routerServers.forEach(s -> closing.add(s.close()));
        for (NetClient c : new NetClient[] {upstream, inboundPassthrough, relay}) {
            if (c != null) {
                closing.add(c.close());
            }
        }
        return Future.join(closing).<Void>mapEmpty().onComplete(ar -> deleteSockets());
    }

    private void deleteSockets() {
        if (socketDir == null) {
            return;
        }
        try {
            Files.deleteIfExists(socketDir.resolve("outbound.sock"));
            Files.deleteIfExists(socketDir.resolve("inbound.sock"));
            Files.deleteIfExists(socketDir);
        } catch (IOException e) {
            LOG.debugf("cannot delete %s: %s", socketDir, e.getMessage());
        }
    }
}
