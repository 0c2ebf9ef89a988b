package dev.mesh.proxy.tls;

import dev.mesh.proxy.rbac.InboundAuthorization;
import dev.mesh.proxy.rbac.RequestViews;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The sidecar's inbound mutual TLS and authorization, as the capture listener and its router use them: on an
 * accepted connection, TLS is terminated (or plain text let through) as the port's chains say and the chain chosen;
 * on each request of it, RBAC decides and the {@code x-forwarded-client-cert} header is set.
 */
public final class InboundSecurity {

    private static final Logger LOG = Logger.getLogger(InboundSecurity.class);

    private final Supplier<MeshInbound> inbound;
    private final Supplier<String> localUri;
    private final PeerRegistry peers = new PeerRegistry();

    /**
     * @param inbound  the plan of the applied config
     * @param localUri this proxy's SPIFFE id (the {@code By=} of XFCC), empty before its first certificate
     */
    public InboundSecurity(Supplier<MeshInbound> inbound, Supplier<String> localUri) {
        this.inbound = inbound;
        this.localUri = localUri;
    }

    public PeerRegistry peers() {
        return peers;
    }

    /**
     * For a connection accepted on the inbound capture port, before any byte is read: when a chain of its
     * destination port wants TLS, terminates it in place and calls {@code proceed} with the chosen chain (empty:
     * the listener's default chain) and the outcome; refused connections are closed.
     *
     * @return false when the port has no TLS chain: the caller goes on as for plain text
     */
    public boolean accept(NetSocket socket, int port, BiConsumer<Optional<String>, InboundTls.Outcome> proceed) {
        MeshInbound.PortPlan plan = inbound.get().plan(port);
        Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
        if (!plan.detect()) {
            // Plain text only: the chain's network RBAC still decides (a TCP AuthorizationPolicy).
            if (plan.plainChain().isPresent() && refused(plan.plainChain().get(), InboundTls.Outcome.PLAINTEXT, channel,
                    port)) {
                socket.close();
                return true;
            }
            return false;
        }
        MeshInbound.Chain tlsChain = plan.tlsChain().orElseThrow();
        if (tlsChain.context().isEmpty()) {
            LOG.warnf("closing a connection to port %d: chain %s has no usable TLS (%s)", port, tlsChain.name(),
                    tlsChain.error().orElse("unknown"));
            socket.close();
            return true;
        }
        InboundTls.install(channel.pipeline(), tlsChain.context().get(), true, outcome -> {
            var remote = (java.net.InetSocketAddress) channel.remoteAddress();
            Runnable unregister = peers.register(remote.getAddress().getHostAddress(), remote.getPort(), outcome);
            channel.closeFuture().addListener(f -> unregister.run());
            Optional<String> chain = plan.chainFor(outcome.tls());
            if (chain.isEmpty() && plan.defaultRefuses()) {
                // STRICT: plain text to a port without its own chains goes to the BlackHoleCluster.
                LOG.debugf("closing a plain-text connection to port %d: mutual TLS required", port);
                channel.close();
                return;
            }
            if (chain.isPresent() && refused(inbound.get().byName().get(chain.get()), outcome, channel, port)) {
                channel.close();
                return;
            }
            proceed.accept(chain, outcome);
        }, failure -> LOG.debugf("inbound connection to port %d from %s refused: %s", port, channel.remoteAddress(),
                failure.getMessage()));
        return true;
    }

    /** Whether the chain's network RBAC refuses this connection (TCP chains; HTTP chains decide per request). */
    private static boolean refused(MeshInbound.Chain chain, InboundTls.Outcome outcome, Channel channel, int port) {
        if (chain == null || chain.network().isEmpty()) {
            return false;
        }
        var remote = (java.net.InetSocketAddress) channel.remoteAddress();
        var denial = chain.network().check(dev.mesh.proxy.rbac.RequestView.connection(port, "",
                outcome.peer().map(PeerIdentity::principalName), remote.getAddress().getHostAddress(), ""));
        denial.ifPresent(d -> LOG.debugf("connection to port %d from %s refused by %s: %s", port, remote, d.filter(),
                d.reason()));
        return denial.isPresent();
    }

    /** The chain a request of a captured connection belongs to (its client address finds the connection). */
    public Optional<MeshInbound.Chain> chainOf(HttpServerRequest req, int port) {
        InboundTls.Outcome outcome = outcome(req);
        return inbound.get().plan(port).chainFor(outcome.tls()).map(name -> inbound.get().byName().get(name));
    }

    /** What the request's connection turned out to be (plain text when it did not pass TLS termination). */
    public InboundTls.Outcome outcome(HttpServerRequest req) {
        if (req.remoteAddress() == null) {
            return InboundTls.Outcome.PLAINTEXT;
        }
        return peers.lookup(req.remoteAddress().hostAddress(), req.remoteAddress().port())
                .orElse(InboundTls.Outcome.PLAINTEXT);
    }

    /**
     * RBAC and XFCC for one request: answers 403 {@code RBAC: access denied} and returns false when refused,
     * else sets (or removes) {@code x-forwarded-client-cert} as the chain says and returns true.
     */
    public boolean admit(HttpServerRequest req, int port, String destinationIp) {
        Optional<MeshInbound.Chain> chain = chainOf(req, port);
        if (chain.isEmpty()) {
            return true;
        }
        HttpChainSecurity security = chain.get().security();
        InboundTls.Outcome outcome = outcome(req);
        var denial = security.check(RequestViews.of(req, port, destinationIp, outcome.peer(),
                security.forwardedFor()));
        if (denial.isPresent()) {
            LOG.debugf("%s %s to port %d refused by %s: %s", req.method(), req.uri(), port, denial.get().filter(),
                    denial.get().reason());
            req.response().setStatusCode(InboundAuthorization.DENIED_STATUS).putHeader("content-type", "text/plain")
                    .end(InboundAuthorization.DENIED_BODY);
            return false;
        }
        Optional<String> xfcc = security.xfcc(req.getHeader(Xfcc.HEADER), outcome.peer(), localUri.get());
        if (xfcc.isPresent()) {
            req.headers().set(Xfcc.HEADER, xfcc.get());
        } else {
            req.headers().remove(Xfcc.HEADER);
        }
        return true;
    }
}
