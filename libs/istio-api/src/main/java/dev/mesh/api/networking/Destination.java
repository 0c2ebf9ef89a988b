package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/**
 * Where a request or connection is sent: a host from the service registry, optionally one of its
 * subsets (declared by a DestinationRule) and a port.
 *
 * @param subset "" when absent
 * @param port   null when absent
 */
public record Destination(String host, String subset, PortSelector port) {

    public Destination {
        host = Fields.str(host);
        subset = Fields.str(subset);
    }

    public static Destination of(String host) {
        return new Destination(host, "", null);
    }

    public static Destination parse(Node node) {
        Destination destination = new Destination(Fields.string(node, "host"), Fields.string(node, "subset"),
                node.object("port", PortSelector::parse));
        if (!node.has("host")) {
            node.error("host", "is required");
        } else if (destination.host.equals("*")) {
            node.error("host", "invalid destination host \"*\": a destination must name one service");
        } else {
            Validation.checkWildcardHost(node, "host", destination.host);
        }
        if (node.has("subset")) {
            checkSubsetName(node, "subset", destination.subset);
        }
        return destination;
    }

    /** Subset names are DNS-1123 labels, both where they are declared and where they are used. */
    static void checkSubsetName(Node node, String field, String name) {
        if (name.isEmpty()) {
            node.error(field, "subset name cannot be empty");
        } else {
            Validation.checkDnsLabel(node, field, name, "subset name");
        }
    }
}
