package dev.mesh.api.networking;

import dev.mesh.api.Node;

/**
 * An HTTP route's weighted destination, with header manipulation for the requests sent to it.
 *
 * @param weight  the relative share of traffic, 0 when absent (with a single destination it gets all)
 * @param headers null when absent
 */
public record HTTPRouteDestination(Destination destination, int weight, Headers headers) {

    public static HTTPRouteDestination parse(Node node) {
        HTTPRouteDestination route = new HTTPRouteDestination(node.object("destination", Destination::parse),
                Fields.int32(node, "weight"), node.object("headers", Headers::parse));
        if (route.destination == null && !node.has("destination")) {
            node.error("destination", "is required");
        }
        RouteDestination.checkWeight(node, route.weight);
        return route;
    }
}
