package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.List;

/**
 * A sidecar listener for traffic out of its workload, and the services it may reach.
 *
 * @param port        null: the catch-all listener (at most one, last)
 * @param bind        the IP or {@code unix://} socket to listen on, "" for the default
 * @param captureMode DEFAULT when absent
 * @param hosts       {@code namespace/dnsName} of the reachable services ({@code .} is this namespace,
 *                    {@code *} any, {@code ~} none)
 */
public record IstioEgressListener(SidecarPort port, String bind, CaptureMode captureMode, List<String> hosts) {

    public IstioEgressListener {
        bind = Fields.str(bind);
        captureMode = captureMode == null ? CaptureMode.DEFAULT : captureMode;
        hosts = Fields.list(hosts);
    }

    public static IstioEgressListener parse(Node node) {
        IstioEgressListener egress = new IstioEgressListener(node.object("port", SidecarPort::parse),
                Fields.string(node, "bind"),
                Fields.enumValue(node, "captureMode", CaptureMode.class, CaptureMode.DEFAULT),
                node.strings("hosts"));
        if (egress.port != null) {
            egress.checkPortAndBind(node);
        }
        if (egress.hosts.isEmpty()) {
            node.error("hosts", "egress listener must contain at least one host");
        }
        for (int i = 0; i < egress.hosts.size(); i++) {
            Validation.checkNamespacedHost(node, Fields.at("hosts", i), egress.hosts.get(i), false);
        }
        return egress;
    }

    private void checkPortAndBind(Node node) {
        boolean unix = bind.startsWith(Validation.UNIX_ADDRESS_PREFIX);
        if (port.number() == 0) {
            if (!unix) {
                node.error("bind", "ports with 0 value must have a unix domain socket bind address");
            } else {
                Validation.checkUnixAddress(node, "bind", bind.substring(Validation.UNIX_ADDRESS_PREFIX.length()));
            }
            if (captureMode != CaptureMode.DEFAULT && captureMode != CaptureMode.NONE) {
                node.error("captureMode", "captureMode must be DEFAULT or NONE for unix domain socket listeners");
            }
            return;
        }
        Validation.checkPort(node, "port.number", port.number());
        if (!bind.isEmpty()) {
            Validation.checkIpAddress(node, "bind", bind);
        }
    }
}
