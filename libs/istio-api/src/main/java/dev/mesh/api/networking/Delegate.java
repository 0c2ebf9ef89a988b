package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/** The VirtualService an HTTP route delegates to. {@code namespace} "" means the root's own namespace. */
public record Delegate(String name, String namespace) {

    public Delegate {
        name = Fields.str(name);
        namespace = Fields.str(namespace);
    }

    public static Delegate parse(Node node) {
        Delegate delegate = new Delegate(node.requiredString("name"), Fields.string(node, "namespace"));
        if (!delegate.namespace.isEmpty()) {
            Validation.checkDnsLabel(node, "namespace", delegate.namespace, "namespace");
        }
        return delegate;
    }
}
