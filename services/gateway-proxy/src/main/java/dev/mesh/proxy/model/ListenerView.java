package dev.mesh.proxy.model;

import java.util.List;
import java.util.Map;

/**
 * Everything one listener needs, complete and consistent: its route table, the clusters those routes name
 * and their endpoints. Requests read one view, so a config change never mixes two generations. A TCP
 * listener's view has no route table ({@code routes} null) and the clusters of its TCP proxy.
 */
public record ListenerView(Listener listener, RouteTable routes, Map<String, ClusterSpec> clusters,
        Map<String, List<Endpoint>> endpoints) {}
