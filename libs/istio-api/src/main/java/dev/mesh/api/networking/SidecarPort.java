package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/**
 * A port of a sidecar listener.
 *
 * @param number     0 only with a unix domain socket bind (egress)
 * @param protocol   "" when absent (the proxy detects it)
 * @param targetPort deprecated and without effect on sidecars; 0 when absent
 */
public record SidecarPort(int number, String protocol, String name, int targetPort) {

    public SidecarPort {
        protocol = Fields.str(protocol);
        name = Fields.str(name);
    }

    public static SidecarPort parse(Node node) {
        SidecarPort port = new SidecarPort(Fields.uint32(node, "number"), Fields.string(node, "protocol"),
                Fields.string(node, "name"), Fields.uint32(node, "targetPort"));
        if (!port.name.isEmpty()) {
            Validation.checkPortName(node, "name", port.name);
        }
        Validation.checkProtocol(node, "protocol", port.protocol);
        if (port.targetPort > 0) {
            node.error("targetPort", "targetPort has no impact on Sidecars");
        }
        return port;
    }
}
