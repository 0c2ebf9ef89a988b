package dev.mesh.api.networking;

import dev.mesh.api.Node;

/**
 * A port of a ServiceEntry.
 *
 * @param protocol   "" when absent (the proxy detects it)
 * @param targetPort the endpoints' port, 0 when absent (same as {@code number})
 */
public record ServicePort(int number, String protocol, String name, int targetPort) {

    public ServicePort {
        protocol = Fields.str(protocol);
        name = Fields.str(name);
    }

    public static ServicePort parse(Node node) {
        return new ServicePort(Fields.uint32(node, "number"), Fields.string(node, "protocol"),
                Fields.string(node, "name"), Fields.uint32(node, "targetPort"));
    }
}
