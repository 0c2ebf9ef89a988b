package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.List;

/**
 * One listener of a gateway: a port, the hosts it serves and how it handles TLS.
 *
 * @param bind            the IP (or {@code unix://} socket) to listen on, "" for all
 * @param hosts           {@code [namespace/]dnsName}, wildcards allowed
 * @param tls             null when absent
 * @param defaultEndpoint "" when absent
 */
public record Server(Port port, String bind, List<String> hosts, ServerTLSSettings tls, String defaultEndpoint,
        String name) {

    public Server {
        bind = Fields.str(bind);
        hosts = Fields.list(hosts);
        defaultEndpoint = Fields.str(defaultEndpoint);
        name = Fields.str(name);
    }

    public static Server parse(Node node) {
        Server server = new Server(node.object("port", Port::parse), Fields.string(node, "bind"),
                node.strings("hosts"), node.object("tls", ServerTLSSettings::parse),
                Fields.string(node, "defaultEndpoint"), Fields.string(node, "name"));
        if (server.hosts.isEmpty()) {
            node.error("hosts", "server config must contain at least one host");
        }
        for (int i = 0; i < server.hosts.size(); i++) {
            Validation.checkNamespacedHost(node, Fields.at("hosts", i), server.hosts.get(i), true);
        }
        boolean portValid = server.checkPort(node);
        server.checkBind(node);
        if (portValid) {
            server.checkTlsFitsProtocol(node);
        }
        return server;
    }

    /** @return whether the port is valid enough to judge its protocol */
    private boolean checkPort(Node node) {
        if (port == null) {
            if (!node.has("port")) {
                node.error("port", "is required");
            }
            return false;
        }
        boolean valid = true;
        if (!Validation.isKnownProtocol(port.protocol())) {
            node.error("port.protocol", "invalid protocol \"" + port.protocol() + "\", supported protocols are"
                    + " HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL");
            valid = false;
        }
        if (port.number() > 0 || !bind.startsWith(Validation.UNIX_ADDRESS_PREFIX)) {
            if (port.number() < 1 || port.number() > 65535) {
                Validation.checkPort(node, "port.number", port.number());
                valid = false;
            }
        }
        if (port.targetPort() > 0) {
            node.error("port.targetPort", "targetPort has no impact on Gateways");
        }
        if (port.name().isEmpty()) {
            // Istio's own validation rejects this; the mesh accepts it but says so.
            node.warning("port.name", "port name is not set; Istio requires one");
        }
        return valid;
    }

    private void checkBind(Node node) {
        if (bind.startsWith(Validation.UNIX_ADDRESS_PREFIX)) {
            Validation.checkUnixAddress(node, "bind", bind.substring(Validation.UNIX_ADDRESS_PREFIX.length()));
            if (port != null && port.number() != 0) {
                node.error("port.number", "port number must be 0 for a unix domain socket bind, got " + port.number());
            }
        } else if (!bind.isEmpty()) {
            Validation.checkIpAddress(node, "bind", bind);
        }
    }

    private void checkTlsFitsProtocol(Node node) {
        String protocol = port.protocol();
        if (Validation.isTlsProtocol(protocol)) {
            if (tls == null) {
                node.error("tls", "server must have TLS settings for HTTPS/TLS protocols (port protocol is "
                        + protocol + ")");
            }
        } else if (tls != null) {
            if (Validation.isHttpProtocol(protocol)) {
                // Only an HTTPS redirect makes sense on a plain-text HTTP port.
                boolean passthrough = tls.mode() == ServerTLSSettings.TLSmode.PASSTHROUGH
                        || tls.mode() == ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH;
                if (!passthrough || !tls.caCertificates().isEmpty() || !tls.privateKey().isEmpty()
                        || !tls.serverCertificate().isEmpty()) {
                    node.error("tls", "server cannot have TLS settings for plain text HTTP ports (protocol "
                            + protocol + "); only httpsRedirect is allowed");
                }
            } else {
                node.error("tls", "server cannot have TLS settings for non HTTPS/TLS ports (protocol " + protocol + ")");
            }
        }
    }
}
