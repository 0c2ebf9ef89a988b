package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.time.Duration;

/**
 * Connection limits to an upstream: TCP and HTTP. Counts are 0 when absent (Envoy's defaults apply).
 *
 * @param tcp  null when absent
 * @param http null when absent
 */
public record ConnectionPoolSettings(TCPSettings tcp, HTTPSettings http) {

    /**
     * @param connectTimeout        null when absent, as are the other durations
     * @param tcpKeepalive          null when absent
     */
    public record TCPSettings(int maxConnections, Duration connectTimeout, TcpKeepalive tcpKeepalive,
            Duration maxConnectionDuration, Duration idleTimeout) {

        /** @param time null when absent, as is {@code interval} */
        public record TcpKeepalive(int probes, Duration time, Duration interval) {

            public static TcpKeepalive parse(Node node) {
                TcpKeepalive keepalive = new TcpKeepalive(Fields.uint32(node, "probes"), node.duration("time"),
                        node.duration("interval"));
                Validation.checkDuration(node, "time", keepalive.time);
                Validation.checkDuration(node, "interval", keepalive.interval);
                return keepalive;
            }
        }

        public static TCPSettings parse(Node node) {
            TCPSettings tcp = new TCPSettings(Fields.int32(node, "maxConnections"), node.duration("connectTimeout"),
                    node.object("tcpKeepalive", TcpKeepalive::parse), node.duration("maxConnectionDuration"),
                    node.duration("idleTimeout"));
            nonNegative(node, "maxConnections", tcp.maxConnections);
            Validation.checkDuration(node, "connectTimeout", tcp.connectTimeout);
            Validation.checkDuration(node, "maxConnectionDuration", tcp.maxConnectionDuration);
            Validation.checkDuration(node, "idleTimeout", tcp.idleTimeout);
            return tcp;
        }
    }

    /**
     * @param idleTimeout     null when absent
     * @param h2UpgradePolicy DEFAULT when absent
     */
    public record HTTPSettings(int http1MaxPendingRequests, int http2MaxRequests, int maxRequestsPerConnection,
            int maxRetries, Duration idleTimeout, H2UpgradePolicy h2UpgradePolicy, boolean useClientProtocol,
            int maxConcurrentStreams) {

        public enum H2UpgradePolicy { DEFAULT, DO_NOT_UPGRADE, UPGRADE }

        public HTTPSettings {
            h2UpgradePolicy = h2UpgradePolicy == null ? H2UpgradePolicy.DEFAULT : h2UpgradePolicy;
        }

        public static HTTPSettings parse(Node node) {
            HTTPSettings http = new HTTPSettings(
                    Fields.int32(node, "http1MaxPendingRequests"),
                    Fields.int32(node, "http2MaxRequests"),
                    Fields.int32(node, "maxRequestsPerConnection"),
                    Fields.int32(node, "maxRetries"),
                    node.duration("idleTimeout"),
                    Fields.enumValue(node, "h2UpgradePolicy", H2UpgradePolicy.class, H2UpgradePolicy.DEFAULT),
                    Fields.bool(node, "useClientProtocol"),
                    Fields.int32(node, "maxConcurrentStreams"));
            nonNegative(node, "http1MaxPendingRequests", http.http1MaxPendingRequests);
            nonNegative(node, "http2MaxRequests", http.http2MaxRequests);
            nonNegative(node, "maxRequestsPerConnection", http.maxRequestsPerConnection);
            nonNegative(node, "maxRetries", http.maxRetries);
            nonNegative(node, "maxConcurrentStreams", http.maxConcurrentStreams);
            Validation.checkDuration(node, "idleTimeout", http.idleTimeout);
            if (http.h2UpgradePolicy == H2UpgradePolicy.UPGRADE && http.useClientProtocol) {
                node.error("useClientProtocol", "useClientProtocol must not be true when h2UpgradePolicy is UPGRADE");
            }
            return http;
        }
    }

    public static ConnectionPoolSettings parse(Node node) {
        ConnectionPoolSettings pool = new ConnectionPoolSettings(node.object("tcp", TCPSettings::parse),
                node.object("http", HTTPSettings::parse));
        if (!node.has("tcp") && !node.has("http")) {
            node.error(null, "connection pool must have at least one field (tcp or http)");
        }
        return pool;
    }

    private static void nonNegative(Node node, String field, int value) {
        if (value < 0) {
            node.error(field, field + " " + value + " must be non-negative");
        }
    }
}
