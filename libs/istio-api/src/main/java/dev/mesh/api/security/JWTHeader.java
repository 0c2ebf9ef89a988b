package dev.mesh.api.security;

import dev.mesh.api.Node;

/**
 * Istio's {@code security.istio.io} JWTHeader: a request header a token is read from.
 *
 * @param name   the header, for instance {@code x-jwt-assertion}
 * @param prefix stripped from the value before decoding, for instance {@code "Bearer "}; empty for none
 */
public record JWTHeader(String name, String prefix) {

    public JWTHeader {
        name = name == null ? "" : name;
        prefix = prefix == null ? "" : prefix;
    }

    static JWTHeader parse(Node node) {
        JWTHeader header = new JWTHeader(node.string("name"), node.string("prefix"));
        if (header.name.isEmpty()) {
            node.error("name", node.has("name") ? "must not be empty" : "is required");
        }
        return header;
    }
}
