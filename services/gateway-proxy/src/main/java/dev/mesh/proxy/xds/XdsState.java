package dev.mesh.proxy.xds;

import com.google.protobuf.Any;
import dev.mesh.proxy.model.Action;
import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
import dev.mesh.proxy.model.Listener;
import dev.mesh.proxy.model.ListenerView;
import dev.mesh.proxy.model.Route;
import dev.mesh.proxy.model.RouteTable;
import dev.mesh.proxy.model.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The accepted xDS resources of each type and the consistent per-listener views built from them. Not thread
 * safe: its owner touches it from one serialized executor.
 */
public final class XdsState {

    public static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    public static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    public static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    public static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    /** Order in which a saved config is replayed: what others refer to comes first. */
    public static final List<String> TYPES = List.of(CDS, EDS, LDS, RDS);

    /** One type's accepted resources and the version they were accepted at. */
    public record Accepted(String version, List<Any> resources) {}

    private final Map<String, String> versions = new HashMap<>();
    private final Map<String, Map<String, Any>> raw = new HashMap<>();
    private Map<String, ClusterSpec> clusters = Map.of();
    private final Map<String, List<Endpoint>> endpoints = new LinkedHashMap<>();
    private Map<String, Listener> listeners = Map.of();
    private final Map<String, RouteTable> routes = new LinkedHashMap<>();
    private Map<String, ListenerView> views = Map.of();

    /**
     * Validates one response's resources and, if all are valid, takes them. Listeners and clusters are a
     * state of the world: what a response leaves out is gone. Route tables and endpoints are not: a response
     * updates the ones it carries, and one is dropped only when no listener or cluster names it any more.
     * Returns the problems found (empty when accepted); on problems nothing changes.
     */
    public List<String> accept(String typeUrl, String version, List<Any> resources) {
        List<String> wrongType = new ArrayList<>();
        for (Any a : resources) {
            if (!a.getTypeUrl().equals(typeUrl)) {
                wrongType.add("resource of type " + a.getTypeUrl() + " in a response for " + typeUrl);
            }
        }
        if (!wrongType.isEmpty()) {
            return wrongType;
        }
        XdsParser.Parsed<?> parsed = switch (typeUrl) {
            case CDS -> XdsParser.clusters(resources);
            case EDS -> XdsParser.endpoints(resources);
            case LDS -> XdsParser.listeners(resources);
            case RDS -> XdsParser.routeTables(resources);
            default -> null;
        };
        if (parsed == null) {
            return List.of("type " + typeUrl + " is not subscribed");
        }
        if (!parsed.errors().isEmpty()) {
            return parsed.errors();
        }
        Map<String, Any> wire = raw.computeIfAbsent(typeUrl, t -> new LinkedHashMap<>());
        switch (typeUrl) {
            case CDS -> {
                clusters = castMap(parsed);
                wire.clear();
                prune(EDS, endpoints, edsNames());
            }
            case LDS -> {
                listeners = castMap(parsed);
                wire.clear();
                prune(RDS, routes, rdsNames());
            }
            case EDS -> {
                endpoints.putAll(castMap(parsed));
                prune(EDS, endpoints, edsNames());
            }
            default -> {
                routes.putAll(castMap(parsed));
                prune(RDS, routes, rdsNames());
            }
        }
        wire.putAll(parsed.raw());
        if (typeUrl.equals(EDS) || typeUrl.equals(RDS)) {
            wire.keySet().retainAll(typeUrl.equals(EDS) ? endpoints.keySet() : routes.keySet());
        }
        versions.put(typeUrl, version);
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> castMap(XdsParser.Parsed<?> parsed) {
        return (Map<String, T>) parsed.resources();
    }

    private void prune(String type, Map<String, ?> resources, Set<String> referenced) {
        resources.keySet().retainAll(referenced);
        Map<String, Any> wire = raw.get(type);
        if (wire != null) {
            wire.keySet().retainAll(referenced);
        }
    }

    public Accepted accepted(String typeUrl) {
        String version = versions.get(typeUrl);
        return version == null ? null : new Accepted(version, List.copyOf(raw.get(typeUrl).values()));
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }

    /** Names of the ClusterLoadAssignments the accepted clusters need. */
    public Set<String> edsNames() {
        Set<String> names = new TreeSet<>();
        clusters.values().stream().filter(ClusterSpec::usesEds).forEach(c -> names.add(c.edsServiceName()));
        return names;
    }

    /** Names of the route tables the accepted listeners use. */
    public Set<String> rdsNames() {
        Set<String> names = new TreeSet<>();
        listeners.values().stream().filter(l -> l.routeConfigName() != null).forEach(l -> names.add(l.routeConfigName()));
        return names;
    }

    /**
     * Rebuilds the per-listener views. A listener whose route table, or the endpoints of a cluster its routes
     * name, has not arrived yet keeps its previous view (or stays off if it never had one), so a request
     * never sees half of an update. A cluster unknown to CDS does not hold a listener back: requests routed to
     * it get Envoy's 503 NC.
     */
    public Map<String, ListenerView> assemble() {
        Map<String, ListenerView> next = new LinkedHashMap<>();
        for (Listener l : listeners.values()) {
            RouteTable table = l.inlineRoutes() != null ? l.inlineRoutes()
                    : l.routeConfigName() != null ? routes.get(l.routeConfigName()) : null;
            ListenerView view = null;
            if (table != null || !l.http()) {
                view = complete(l, table);
            }
            if (view == null) {
                view = views.get(l.name());
            }
            if (view != null) {
                next.put(l.name(), view);
            }
        }
        views = Map.copyOf(next);
        return next;
    }

    /**
     * Envoy's "initialized": clusters and listeners have arrived and every listener has a complete view.
     */
    public boolean warm() {
        return versions.containsKey(CDS) && versions.containsKey(LDS) && views.size() == listeners.size();
    }

    public Map<String, ListenerView> views() {
        return views;
    }

    /** The view of an HTTP listener with its route table, or of a TCP listener ({@code table} null). */
    private ListenerView complete(Listener l, RouteTable table) {
        Map<String, ClusterSpec> used = new HashMap<>();
        Map<String, List<Endpoint>> eps = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        if (table != null) {
            names.addAll(clusterNames(table));
        } else {
            l.tcpClusters().forEach(c -> names.add(c.name()));
        }
        for (String name : names) {
            ClusterSpec c = clusters.get(name);
            if (c == null) {
                continue;
            }
            List<Endpoint> e = c.usesEds() ? endpoints.get(c.edsServiceName()) : c.staticEndpoints();
            if (e == null) {
                return null;
            }
            used.put(name, c);
            eps.put(name, e);
        }
        return new ListenerView(l, table, Map.copyOf(used), Map.copyOf(eps));
    }

    static Set<String> clusterNames(RouteTable table) {
        Set<String> names = new LinkedHashSet<>();
        for (VirtualHost vh : table.virtualHosts()) {
            for (Route r : vh.routes()) {
                if (r.action() instanceof Action.Forward f) {
                    f.clusters().forEach(c -> names.add(c.name()));
                    f.mirrors().forEach(m -> names.add(m.cluster()));
                }
            }
        }
        return names;
    }
}
