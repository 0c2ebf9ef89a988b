package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.time.Duration;
import java.util.List;

/**
 * One HTTP routing rule: the conditions it applies to and what it does with the request. It either
 * routes ({@code route}), redirects, responds directly, or (in a root VirtualService) delegates.
 *
 * @param match            empty: every request
 * @param redirect         null when absent, as are the other messages
 * @param timeout          null when absent
 * @param mirrorPercent    deprecated, null when absent
 */
public record HTTPRoute(String name, List<HTTPMatchRequest> match, List<HTTPRouteDestination> route,
        HTTPRedirect redirect, HTTPDirectResponse directResponse, Delegate delegate, HTTPRewrite rewrite,
        Duration timeout, HTTPRetry retries, HTTPFaultInjection fault, Destination mirror,
        List<HTTPMirrorPolicy> mirrors, Integer mirrorPercent, Percent mirrorPercentage, CorsPolicy corsPolicy,
        Headers headers) {

    public HTTPRoute {
        name = Fields.str(name);
        match = Fields.list(match);
        route = Fields.list(route);
        mirrors = Fields.list(mirrors);
    }

    /** A route of a VirtualService bound to gateways, with hosts (not a delegate). */
    public static HTTPRoute parse(Node node) {
        return parse(node, false, true);
    }

    /**
     * @param inDelegate       the route belongs to a delegate VirtualService (one without hosts)
     * @param appliesToGateway the VirtualService is bound to gateways only, not to the mesh's sidecars
     */
    static HTTPRoute parse(Node node, boolean inDelegate, boolean appliesToGateway) {
        HTTPRoute http = new HTTPRoute(
                Fields.string(node, "name"),
                node.list("match", n -> HTTPMatchRequest.parse(n, appliesToGateway)),
                node.list("route", HTTPRouteDestination::parse),
                node.object("redirect", HTTPRedirect::parse),
                node.object("directResponse", HTTPDirectResponse::parse),
                node.object("delegate", Delegate::parse),
                node.object("rewrite", HTTPRewrite::parse),
                node.duration("timeout"),
                node.object("retries", HTTPRetry::parse),
                node.object("fault", HTTPFaultInjection::parse),
                node.object("mirror", Destination::parse),
                node.list("mirrors", HTTPMirrorPolicy::parse),
                Fields.uint32Value(node, "mirrorPercent"),
                node.object("mirrorPercentage", HTTPRoute::parseMirrorPercentage),
                node.object("corsPolicy", CorsPolicy::parse),
                node.object("headers", Headers::parse));
        checkActions(node, http, inDelegate);
        if (node.has("mirror") && !http.mirrors.isEmpty()) {
            node.error("mirrors", "HTTP route cannot contain both mirror and mirrors");
        }
        if (http.mirrorPercent != null) {
            if (http.mirrorPercent > 100) {
                node.error("mirrorPercent", "mirrorPercent must have a max value of 100 (it has "
                        + http.mirrorPercent + ")");
            }
            node.warning("mirrorPercent", "deprecated: use mirrorPercentage instead");
        }
        int authoritySets = (http.rewrite != null && !http.rewrite.authority().isEmpty() ? 1 : 0)
                + (http.headers != null ? http.headers.requestAuthoritySets() : 0);
        if (authoritySets > 1) {
            node.error("headers", "the authority is set more than once (rewrite.authority and request headers"
                    + " :authority/host): set it in one place only");
        }
        Validation.checkDuration(node, "timeout", http.timeout);
        RouteDestination.checkTotalWeight(node, "route",
                http.route.stream().map(HTTPRouteDestination::weight).toList());
        return http;
    }

    private static void checkActions(Node node, HTTPRoute http, boolean inDelegate) {
        boolean hasRoute = !http.route.isEmpty();
        if (node.has("delegate") && !inDelegate) {
            // A root route only delegates.
            if (node.has("redirect")) {
                node.error("redirect", "a route that delegates must not specify redirect");
            }
            if (node.has("route")) {
                node.error("route", "a route that delegates must not specify route");
            }
            return;
        }
        if (node.has("delegate")) {
            node.error("delegate", "a route of a delegate VirtualService cannot delegate again");
        }
        if (node.has("redirect")) {
            conflict(node, hasRoute, "route", "redirect");
            conflict(node, node.has("fault"), "fault", "redirect");
            conflict(node, node.has("rewrite"), "rewrite", "redirect");
            conflict(node, node.has("directResponse"), "directResponse", "redirect");
        } else if (node.has("directResponse")) {
            conflict(node, hasRoute, "route", "directResponse");
            conflict(node, node.has("fault"), "fault", "directResponse");
            conflict(node, node.has("rewrite"), "rewrite", "directResponse");
        } else if (!hasRoute) {
            node.error(null, "HTTP route needs a route, a redirect, a directResponse or a delegate");
        }
    }

    private static void conflict(Node node, boolean present, String field, String other) {
        if (present) {
            node.error(field, "HTTP route cannot contain both " + field + " and " + other);
        }
    }

    /** Mirror percentages are only bounded by 0..100 (no minimum step, unlike fault percentages). */
    static Percent parseMirrorPercentage(Node node) {
        Percent percent = new Percent(Fields.number(node, "value"));
        if (percent.value() < 0 || percent.value() > 100) {
            node.error("value", "mirror percentage " + percent.value() + " is not in range 0..100");
        }
        return percent;
    }
}
