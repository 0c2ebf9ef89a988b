package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/**
 * A sidecar listener for traffic into its workload.
 *
 * @param bind            the IP to listen on, "" for the default
 * @param captureMode     DEFAULT when absent
 * @param defaultEndpoint where to forward: {@code 127.0.0.1:PORT}, {@code 0.0.0.0:PORT}, {@code [::1]:PORT},
 *                        {@code [::]:PORT}, {@code :PORT} or {@code unix://path}; "" when absent
 * @param tls             null when absent
 * @param connectionPool  null when absent
 */
public record IstioIngressListener(SidecarPort port, String bind, CaptureMode captureMode, String defaultEndpoint,
        ServerTLSSettings tls, ConnectionPoolSettings connectionPool) {

    public IstioIngressListener {
        bind = Fields.str(bind);
        captureMode = captureMode == null ? CaptureMode.DEFAULT : captureMode;
        defaultEndpoint = Fields.str(defaultEndpoint);
    }

    public static IstioIngressListener parse(Node node) {
        IstioIngressListener ingress = new IstioIngressListener(node.object("port", SidecarPort::parse),
                Fields.string(node, "bind"),
                Fields.enumValue(node, "captureMode", CaptureMode.class, CaptureMode.DEFAULT),
                Fields.string(node, "defaultEndpoint"), node.object("tls", ServerTLSSettings::parse),
                node.object("connectionPool", ConnectionPoolSettings::parse));
        if (ingress.port == null) {
            if (!node.has("port")) {
                node.error("port", "is required for ingress listeners");
            }
        } else {
            Validation.checkPort(node, "port.number", ingress.port.number());
            if (ingress.connectionPool != null && ingress.connectionPool.http() != null
                    && !Validation.isHttpProtocol(ingress.port.protocol())) {
                node.warning("connectionPool.http", "HTTP connection pool settings are configured for port "
                        + ingress.port.number() + " but its protocol is not HTTP (" + ingress.port.protocol()
                        + "); only TCP settings will apply");
            }
        }
        if (!ingress.bind.isEmpty()) {
            Validation.checkIpAddress(node, "bind", ingress.bind);
        }
        checkDefaultEndpoint(node, ingress.defaultEndpoint);
        if (ingress.tls != null) {
            checkTls(node, ingress.tls);
        }
        return ingress;
    }

    private static void checkDefaultEndpoint(Node node, String endpoint) {
        if (endpoint.isEmpty()) {
            return;
        }
        if (endpoint.startsWith(Validation.UNIX_ADDRESS_PREFIX)) {
            Validation.checkUnixAddress(node, "defaultEndpoint",
                    endpoint.substring(Validation.UNIX_ADDRESS_PREFIX.length()));
            return;
        }
        int colon = endpoint.lastIndexOf(':');
        String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
        String port = colon < 0 ? "" : endpoint.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            node.error("defaultEndpoint", "\"" + endpoint + "\": an IPv6 address must be in brackets, as in [::1]:8080");
            return;
        }
        if (colon < 0) {
            node.error("defaultEndpoint", "\"" + endpoint + "\" is missing a port");
            return;
        }
        if (!host.isEmpty() && !host.equals("127.0.0.1") && !host.equals("0.0.0.0") && !host.equals("::1")
                && !host.equals("::")) {
            node.error("defaultEndpoint", "\"" + endpoint + "\": defaultEndpoint must be of form 127.0.0.1:<port>,"
                    + " 0.0.0.0:<port>, [::1]:<port>, [::]:<port>, unix://filepath or unset");
        }
        if (!port.matches("[0-9]{1,9}")) {
            node.error("defaultEndpoint", "\"" + endpoint + "\": port \"" + port + "\" is not a number");
        } else {
            Validation.checkPort(node, "defaultEndpoint", Long.parseLong(port));
        }
    }

    private static void checkTls(Node node, ServerTLSSettings tls) {
        if (!tls.subjectAltNames().isEmpty()) {
            node.error("tls.subjectAltNames", "subjectAltNames is not supported in sidecar ingress tls");
        }
        if (tls.httpsRedirect()) {
            node.error("tls.httpsRedirect", "httpsRedirect is not supported in sidecar ingress tls");
        }
        if (!tls.credentialName().isEmpty()) {
            node.error("tls.credentialName", "credentialName is not currently supported in sidecar ingress tls");
        }
        if (tls.mode() == ServerTLSSettings.TLSmode.ISTIO_MUTUAL
                || tls.mode() == ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH) {
            node.error("tls.mode", "cannot set mode to " + tls.mode() + " in sidecar ingress tls");
        }
    }
}
