package dev.mesh.api.networking;

import dev.mesh.api.Node;

/**
 * A port a gateway server listens on.
 *
 * @param number     0 when absent (only valid with a unix domain socket bind)
 * @param protocol   HTTP, HTTPS, GRPC, GRPC-WEB, HTTP2, MONGO, TCP, TLS, ... as written (Istio compares
 *                   without regard to case)
 * @param targetPort deprecated and without effect on gateways; 0 when absent
 */
public record Port(int number, String protocol, String name, int targetPort) {

    public Port {
        protocol = Fields.str(protocol);
        name = Fields.str(name);
    }

    public static Port parse(Node node) {
        return new Port(Fields.uint32(node, "number"), Fields.string(node, "protocol"), Fields.string(node, "name"),
                Fields.uint32(node, "targetPort"));
    }
}
