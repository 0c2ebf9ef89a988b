package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/** A port of a destination: {@code port: {number: 9080}}. */
public record PortSelector(int number) {

    public static PortSelector parse(Node node) {
        PortSelector selector = new PortSelector(Fields.uint32(node, "number"));
        Validation.checkPort(node, "number", selector.number);
        return selector;
    }
}
