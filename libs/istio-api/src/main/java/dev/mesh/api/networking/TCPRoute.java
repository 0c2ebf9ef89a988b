package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.List;

/** A routing rule for opaque TCP traffic. */
public record TCPRoute(List<L4MatchAttributes> match, List<RouteDestination> route) {

    public TCPRoute {
        match = Fields.list(match);
        route = Fields.list(route);
    }

    public static TCPRoute parse(Node node) {
        TCPRoute tcp = new TCPRoute(node.list("match", L4MatchAttributes::parse),
                node.list("route", RouteDestination::parse));
        if (tcp.route.isEmpty()) {
            node.error("route", "TCP route is required");
        }
        RouteDestination.checkTotalWeight(node, "route", tcp.route.stream().map(RouteDestination::weight).toList());
        return tcp;
    }
}
