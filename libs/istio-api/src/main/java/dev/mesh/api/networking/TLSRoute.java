package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.List;

/** A routing rule for TLS traffic that is not terminated (routed on SNI). */
public record TLSRoute(List<TLSMatchAttributes> match, List<RouteDestination> route) {

    public TLSRoute {
        match = Fields.list(match);
        route = Fields.list(route);
    }

    public static TLSRoute parse(Node node) {
        return parse(node, null, true);
    }

    static TLSRoute parse(Node node, List<String> vsHosts, boolean gateway) {
        TLSRoute tls = new TLSRoute(node.list("match", n -> TLSMatchAttributes.parse(n, vsHosts, gateway)),
                node.list("route", RouteDestination::parse));
        if (tls.match.isEmpty()) {
            node.error("match", "TLS route must have at least one match condition");
        }
        if (tls.route.isEmpty()) {
            node.error("route", "TLS route is required");
        }
        RouteDestination.checkTotalWeight(node, "route", tls.route.stream().map(RouteDestination::weight).toList());
        return tls;
    }
}
