package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.List;

/**
 * An L4 (TCP or TLS) route's weighted destination.
 *
 * @param weight the relative share of traffic, 0 when absent (with a single destination it gets all)
 */
public record RouteDestination(Destination destination, int weight) {

    public static RouteDestination parse(Node node) {
        RouteDestination route = new RouteDestination(node.object("destination", Destination::parse),
                Fields.int32(node, "weight"));
        if (route.destination == null && !node.has("destination")) {
            node.error("destination", "is required");
        }
        checkWeight(node, route.weight);
        return route;
    }

    static void checkWeight(Node node, int weight) {
        if (weight < 0) {
            node.error("weight", "weight " + weight + " must not be negative");
        }
    }

    /** With several destinations, Istio needs some traffic to go somewhere. */
    static void checkTotalWeight(Node node, String field, List<Integer> weights) {
        if (weights.size() > 1 && weights.stream().mapToLong(Integer::longValue).sum() == 0) {
            node.error(field, "total destination weight is 0: at least one of the " + weights.size()
                    + " destinations needs a positive weight");
        }
    }
}
