package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.List;
import java.util.stream.Stream;

/**
 * The policies applied to traffic to a destination (or a subset of it) after routing. Every field is
 * null (or empty) when absent; at least one must be set.
 */
public record TrafficPolicy(LoadBalancerSettings loadBalancer, ConnectionPoolSettings connectionPool,
        OutlierDetection outlierDetection, ClientTLSSettings tls, List<PortTrafficPolicy> portLevelSettings,
        TunnelSettings tunnel, ProxyProtocol proxyProtocol, RetryBudget retryBudget) {

    public TrafficPolicy {
        portLevelSettings = Fields.list(portLevelSettings);
    }

    /** The policies for one port of the destination; they override the policy's own. */
    public record PortTrafficPolicy(PortSelector port, LoadBalancerSettings loadBalancer,
            ConnectionPoolSettings connectionPool, OutlierDetection outlierDetection, ClientTLSSettings tls) {

        public static PortTrafficPolicy parse(Node node) {
            PortTrafficPolicy policy = new PortTrafficPolicy(node.object("port", PortSelector::parse),
                    node.object("loadBalancer", n -> LoadBalancerSettings.parse(n, node.has("outlierDetection"))),
                    node.object("connectionPool", ConnectionPoolSettings::parse),
                    node.object("outlierDetection", OutlierDetection::parse),
                    node.object("tls", ClientTLSSettings::parse));
            if (!node.has("port")) {
                node.error("port", "is required: a port traffic policy must name its port");
            }
            if (!node.has("loadBalancer") && !node.has("connectionPool") && !node.has("outlierDetection")
                    && !node.has("tls")) {
                node.error(null, "port traffic policy must have at least one field");
            }
            return policy;
        }
    }

    /** Tunnels connections to the destination through a proxy ({@code CONNECT} or {@code POST}). */
    public record TunnelSettings(String protocol, String targetHost, int targetPort) {

        public TunnelSettings {
            protocol = Fields.str(protocol);
            targetHost = Fields.str(targetHost);
        }

        public static TunnelSettings parse(Node node) {
            TunnelSettings tunnel = new TunnelSettings(Fields.string(node, "protocol"),
                    Fields.string(node, "targetHost"), Fields.uint32(node, "targetPort"));
            if (!tunnel.protocol.isEmpty() && !tunnel.protocol.equals("CONNECT") && !tunnel.protocol.equals("POST")) {
                node.error("protocol", "tunnel protocol must be \"CONNECT\" or \"POST\", got \"" + tunnel.protocol
                        + "\"");
            }
            if (Validation.fqdnError(tunnel.targetHost) != null && !Validation.isIpAddress(tunnel.targetHost)) {
                node.error("targetHost", "tunnel target host \"" + tunnel.targetHost
                        + "\" must be a valid FQDN or IP address");
            }
            Validation.checkPort(node, "targetPort", tunnel.targetPort);
            return tunnel;
        }
    }

    /** Sends a PROXY protocol header to the destination. */
    public record ProxyProtocol(Version version) {

        public enum Version { V1, V2 }

        public ProxyProtocol {
            version = version == null ? Version.V1 : version;
        }

        public static ProxyProtocol parse(Node node) {
            return new ProxyProtocol(Fields.enumValue(node, "version", Version.class, Version.V1));
        }
    }

    /**
     * Limits concurrent retries to a share of active requests.
     *
     * @param percent null when absent
     */
    public record RetryBudget(Double percent, int minRetryConcurrency) {

        public static RetryBudget parse(Node node) {
            RetryBudget budget = new RetryBudget(node.number("percent"), Fields.uint32(node, "minRetryConcurrency"));
            if (budget.percent != null && (budget.percent < 0 || budget.percent > 100)) {
                node.error("percent", "retry budget percent " + budget.percent + " is not in range 0..100");
            }
            return budget;
        }
    }

    public static TrafficPolicy parse(Node node) {
        TrafficPolicy policy = new TrafficPolicy(
                node.object("loadBalancer", n -> LoadBalancerSettings.parse(n, node.has("outlierDetection"))),
                node.object("connectionPool", ConnectionPoolSettings::parse),
                node.object("outlierDetection", OutlierDetection::parse),
                node.object("tls", ClientTLSSettings::parse),
                node.list("portLevelSettings", PortTrafficPolicy::parse),
                node.object("tunnel", TunnelSettings::parse),
                node.object("proxyProtocol", ProxyProtocol::parse),
                node.object("retryBudget", RetryBudget::parse));
        if (Stream.of("loadBalancer", "connectionPool", "outlierDetection", "tls",
                "portLevelSettings", "tunnel", "proxyProtocol", "retryBudget").noneMatch(node::has)) {
            node.error(null, "traffic policy must have at least one field");
        }
        if (node.has("tunnel") && node.has("proxyProtocol")) {
            node.error("proxyProtocol", "tunnel and proxyProtocol must not be set together");
        }
        return policy;
    }
}
