package dev.mesh.proxy.model;

import java.util.List;

/**
 * One served filter chain of an LDS listener: where it listens and what it does with a connection. An HTTP
 * chain takes its routes from RDS ({@code routeConfigName}) or inline ({@code inlineRoutes}); a TCP chain
 * ({@code tcpClusters} non-null) proxies bytes to one of its weighted clusters.
 *
 * <p>A listener with {@code bindToPort == false} is a sidecar's virtual listener: it owns no socket, traffic
 * reaches it through the capture listeners by its original destination. A listener whose filter chains match
 * on {@code destination_port} (the sidecar's {@code virtualInbound}) becomes one of these per chain, named
 * after the chain and listening on that port; its default chain keeps the listener's own name.
 * {@code inbound} is Envoy's {@code traffic_direction: INBOUND}: requests are reported as the destination.
 *
 * <p>A listener with several filter chains that match on server name (a Gateway's HTTPS servers on 443)
 * becomes one of these per chain, named {@code <listener>|<chain name or index>}, all on the same socket;
 * {@code serverNames} (SNI, empty = any) picks the chain and {@code tls} is its server TLS, or null.
 *
 * <p>{@code forwardedFor} is the HTTP connection manager's {@code x-forwarded-for} handling (Envoy's defaults for a
 * TCP chain, where it is not used).
 */
public record Listener(String name, String address, int port, String routeConfigName, boolean bindToPort,
        RouteTable inlineRoutes, List<Action.WeightedCluster> tcpClusters, boolean inbound, List<String> serverNames,
        DownstreamTls tls, ForwardedFor forwardedFor) {

    /** Where it listens: listeners with the same socket key share one set of servers. */
    public String socketKey() {
        return address + ":" + port;
    }

    /** Whether a TLS server name (SNI, may be null) selects this chain: exact, {@code *.suffix}, or any when none. */
    public boolean matchesServerName(String sni) {
        if (serverNames.isEmpty()) {
            return true;
        }
        if (sni == null) {
            return false;
        }
        String host = sni.toLowerCase(java.util.Locale.ROOT);
        for (String n : serverNames) {
            String name = n.toLowerCase(java.util.Locale.ROOT);
            if (name.equals(host) || (name.startsWith("*.") && host.endsWith(name.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    public boolean http() {
        return tcpClusters == null;
    }

    /** Whether the address is 0.0.0.0 or ::, so the listener stands for every address on its port. */
    public boolean wildcardAddress() {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }
}
