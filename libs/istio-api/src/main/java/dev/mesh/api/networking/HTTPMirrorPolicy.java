package dev.mesh.api.networking;

import dev.mesh.api.Node;

/**
 * One destination requests are mirrored to.
 *
 * @param percentage the share of requests mirrored; null when absent (Istio then mirrors all)
 */
public record HTTPMirrorPolicy(Destination destination, Percent percentage) {

    public static HTTPMirrorPolicy parse(Node node) {
        HTTPMirrorPolicy mirror = new HTTPMirrorPolicy(node.object("destination", Destination::parse),
                node.object("percentage", HTTPRoute::parseMirrorPercentage));
        if (mirror.destination == null && !node.has("destination")) {
            node.error("destination", "is required for mirrors");
        }
        return mirror;
    }
}
