package dev.mesh.proxy.tls;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import dev.mesh.proxy.rbac.InboundAuthorization;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Envoy's inbound filter chain choice for a sidecar's {@code virtualInbound} listener, as far as TLS goes: for a
 * destination port, the chains that name the port (else those that name none), then by
 * {@code transport_protocol} ({@code tls} or {@code raw_buffer}, told apart by the first bytes), else the default
 * chain. Built from the applied LDS resources once per config; the TLS contexts are built here, once.
 */
public final class MeshInbound {

    /** One filter chain: its name, what it matches and, for {@code tls}, its server TLS. */
    public record Chain(String name, int port, String transportProtocol, Optional<ServerTlsSettings> tls,
            Optional<SslContext> context, HttpChainSecurity security, InboundAuthorization network,
            Optional<String> error) {

        boolean matches(boolean isTls) {
            return transportProtocol.isEmpty() || transportProtocol.equals(isTls ? "tls" : "raw_buffer");
        }
    }

    /** What to do with a connection to one port before any byte is read. */
    public record PortPlan(int port, Optional<Chain> tlsChain, Optional<Chain> plainChain, Optional<String> defaultChain,
            boolean defaultRefuses) {

        /** Whether the first bytes must be looked at (some chain wants TLS). */
        public boolean detect() {
            return tlsChain.isPresent();
        }

        /** The chain's name for what the connection turned out to be; empty: the listener's default chain. */
        public Optional<String> chainFor(boolean isTls) {
            return (isTls ? tlsChain : plainChain).map(Chain::name);
        }
    }

    /** Istio's cluster with no endpoints: a chain that sends there closes the connection. */
    static final String BLACKHOLE = "BlackHoleCluster";

    public static final MeshInbound EMPTY = new MeshInbound(List.of(), Optional.empty(), false, List.of());

    private final List<Chain> chains;
    private final Optional<String> defaultChain;
    private final boolean defaultRefuses;
    private final List<String> errors;

    private MeshInbound(List<Chain> chains, Optional<String> defaultChain, boolean defaultRefuses, List<String> errors) {
        this.chains = List.copyOf(chains);
        this.defaultChain = defaultChain;
        this.defaultRefuses = defaultRefuses;
        this.errors = List.copyOf(errors);
    }

    /**
     * From the applied listeners (Anys of {@code envoy.config.listener.v3.Listener}): the first INBOUND listener.
     * A chain whose TLS cannot be built (an SDS name this proxy cannot resolve) stays, with its error: its
     * connections are refused, never served in plain text.
     */
    public static MeshInbound from(List<Any> listeners, SecretResolver secrets, Clock clock) {
        List<String> errors = new ArrayList<>();
        for (Any any : listeners) {
            Listener listener;
            try {
                listener = any.unpack(Listener.class);
            } catch (InvalidProtocolBufferException e) {
                continue;
            }
            if (listener.getTrafficDirection() != TrafficDirection.INBOUND) {
                continue;
            }
            List<Chain> chains = new ArrayList<>();
            for (int i = 0; i < listener.getFilterChainsCount(); i++) {
                chains.add(chain(listener, listener.getFilterChains(i), i, secrets, clock, errors));
            }
            Optional<String> byDefault = listener.hasDefaultFilterChain()
                    ? Optional.of(listener.getDefaultFilterChain().getName()) : Optional.empty();
            return new MeshInbound(chains, byDefault,
                    listener.hasDefaultFilterChain() && blackhole(listener.getDefaultFilterChain()), errors);
        }
        return EMPTY;
    }

    private static Chain chain(Listener listener, FilterChain chain, int index, SecretResolver secrets, Clock clock,
            List<String> errors) {
        String name = chain.getName().isEmpty() ? listener.getName() + "|" + index : chain.getName();
        int port = chain.getFilterChainMatch().hasDestinationPort()
                ? chain.getFilterChainMatch().getDestinationPort().getValue() : 0;
        String transport = chain.getFilterChainMatch().getTransportProtocol();
        String at = "listener " + listener.getName() + " chain " + name;
        HttpChainSecurity security;
        InboundAuthorization network;
        try {
            security = security(chain, at);
            network = network(chain, at);
        } catch (IllegalArgumentException e) {
            // An authorization this proxy cannot evaluate must not let requests through: deny all on the chain.
            errors.add(e.getMessage());
            return new Chain(name, port, transport, Optional.empty(), Optional.empty(), HttpChainSecurity.DENY_ALL,
                    HttpChainSecurity.DENY_ALL.authorization(), Optional.of(e.getMessage()));
        }
        if (!chain.hasTransportSocket()
                || !chain.getTransportSocket().getTypedConfig().getTypeUrl().endsWith("DownstreamTlsContext")) {
            return new Chain(name, port, transport, Optional.empty(), Optional.empty(), security, network,
                    Optional.empty());
        }
        try {
            ServerTlsSettings tls = ServerTlsSettings.from(chain.getTransportSocket(), secrets, clock, at);
            return new Chain(name, port, transport.isEmpty() ? "tls" : transport, Optional.of(tls),
                    Optional.of(tls.nettyContext()), security, network, Optional.empty());
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return new Chain(name, port, "tls", Optional.empty(), Optional.empty(), security, network,
                    Optional.of(e.getMessage()));
        }
    }

    /** Whether a chain only proxies TCP to the BlackHoleCluster (STRICT's answer to plain text). */
    private static boolean blackhole(FilterChain chain) {
        for (var filter : chain.getFiltersList()) {
            if (filter.getTypedConfig().is(TcpProxy.class)) {
                try {
                    return filter.getTypedConfig().unpack(TcpProxy.class).getCluster().equals(BLACKHOLE);
                } catch (InvalidProtocolBufferException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /** The chain's network RBAC filters ({@code envoy.filters.network.rbac}, TCP chains), in order. */
    private static InboundAuthorization network(FilterChain chain, String at) {
        List<Map.Entry<String, Any>> filters = new ArrayList<>();
        for (var filter : chain.getFiltersList()) {
            if (filter.getName().equals(InboundAuthorization.NETWORK_FILTER)) {
                filters.add(Map.entry(filter.getName(), filter.getTypedConfig()));
            }
        }
        return filters.isEmpty() ? InboundAuthorization.NONE : InboundAuthorization.fromNetworkFilters(filters, at);
    }

    /** The chain's HTTP connection manager's XFCC and RBAC, or none for a TCP chain. */
    private static HttpChainSecurity security(FilterChain chain, String at) {
        for (var filter : chain.getFiltersList()) {
            if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
                try {
                    return HttpChainSecurity.from(filter.getTypedConfig().unpack(HttpConnectionManager.class), at);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException(at + ": unreadable HttpConnectionManager: " + e.getMessage(), e);
                }
            }
        }
        return HttpChainSecurity.NONE;
    }

    /** The plan for a connection to this destination port. */
    public PortPlan plan(int port) {
        List<Chain> candidates = chains.stream().filter(c -> c.port() == port).toList();
        if (candidates.isEmpty()) {
            candidates = chains.stream().filter(c -> c.port() == 0).toList();
        }
        Optional<Chain> tls = candidates.stream().filter(c -> c.matches(true) && !c.transportProtocol().isEmpty())
                .findFirst();
        Optional<Chain> plain = candidates.stream().filter(c -> c.matches(false)).findFirst();
        return new PortPlan(port, tls, plain, defaultChain, defaultRefuses);
    }

    /** Chains whose TLS could not be built, with why. */
    public List<String> errors() {
        return errors;
    }

    public List<Chain> chains() {
        return chains;
    }

    /** The port-specific chains by name, for callers that map chains to their own listeners. */
    public Map<String, Chain> byName() {
        Map<String, Chain> out = new HashMap<>();
        chains.forEach(c -> out.put(c.name(), c));
        return out;
    }
}
