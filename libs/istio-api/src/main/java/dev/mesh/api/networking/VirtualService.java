package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Routing rules for traffic addressed to {@code hosts}, applied by the sidecars of the mesh and/or
 * the gateways named in {@code gateways}. A VirtualService without hosts is a delegate: it is only
 * reached through another one's {@code http[].delegate}.
 *
 * @param gateways empty: the mesh's sidecars ({@code mesh}); otherwise {@code [namespace/]name} of
 *                 gateways, and {@code mesh} to include the sidecars
 */
public record VirtualService(List<String> hosts, List<String> gateways, List<HTTPRoute> http, List<TLSRoute> tls,
        List<TCPRoute> tcp, List<String> exportTo) {

    /** The reserved gateway name for all the sidecars of the mesh. */
    public static final String MESH_GATEWAY = "mesh";

    public VirtualService {
        hosts = Fields.list(hosts);
        gateways = Fields.list(gateways);
        http = Fields.list(http);
        tls = Fields.list(tls);
        tcp = Fields.list(tcp);
        exportTo = Fields.list(exportTo);
    }

    /** Whether the sidecars of the mesh apply these routes. */
    public boolean appliesToMesh() {
        return gateways.isEmpty() || gateways.contains(MESH_GATEWAY);
    }

    public boolean isDelegate() {
        return hosts.isEmpty();
    }

    public static VirtualService parse(Node node) {
        List<String> hosts = node.strings("hosts");
        List<String> gateways = node.strings("gateways");
        boolean delegate = hosts.isEmpty();
        boolean appliesToGateway = !gateways.isEmpty() && !gateways.contains(MESH_GATEWAY);
        // Istio checks SNI hosts with the gateway rules unless "mesh" is named explicitly.
        boolean sniOnGateway = !gateways.contains(MESH_GATEWAY);
        VirtualService vs = new VirtualService(hosts, gateways,
                node.list("http", n -> HTTPRoute.parse(n, delegate, appliesToGateway)),
                node.list("tls", n -> TLSRoute.parse(n, hosts, sniOnGateway)),
                node.list("tcp", TCPRoute::parse),
                node.strings("exportTo"));

        if (delegate) {
            if (!gateways.isEmpty()) {
                node.error("gateways", "a delegate virtual service (one without hosts) must have no gateways");
            }
            if (!vs.tls.isEmpty()) {
                node.error("tls", "a delegate virtual service (one without hosts) must have no tls routes");
            }
            if (!vs.tcp.isEmpty()) {
                node.error("tcp", "a delegate virtual service (one without hosts) must have no tcp routes");
            }
        }
        checkGatewayNames(node, "gateways", gateways);
        checkHosts(node, vs, appliesToGateway);
        if (vs.http.isEmpty() && vs.tcp.isEmpty() && vs.tls.isEmpty()) {
            node.error(null, "http, tcp or tls must be provided in virtual service");
        }
        Validation.checkExportTo(node, "exportTo", vs.exportTo, false);
        warnUnreachable(node, "http", vs.http, HTTPRoute::match, HTTPMatchRequest::conditions);
        warnUnreachable(node, "tls", vs.tls, TLSRoute::match, m -> m);
        warnUnreachable(node, "tcp", vs.tcp, TCPRoute::match, m -> m);
        return vs;
    }

    private static void checkHosts(Node node, VirtualService vs, boolean appliesToGateway) {
        boolean sni = vs.tls.stream().anyMatch(r -> r.match().stream().anyMatch(m -> !m.sniHosts().isEmpty()));
        boolean allValid = true;
        for (int i = 0; i < vs.hosts.size(); i++) {
            String host = vs.hosts.get(i);
            String error = appliesToGateway ? gatewayHostError(sni, host) : Validation.wildcardDomainError(host);
            if (error != null) {
                if (!Validation.isIpAddress(host)) {
                    node.error(Fields.at("hosts", i), error);
                    allValid = false;
                }
            } else if (!appliesToGateway && host.equals("*")) {
                node.error(Fields.at("hosts", i), "wildcard host * is not allowed for virtual services bound to"
                        + " the mesh gateway");
                allValid = false;
            }
        }
        if (!allValid) {
            return;
        }
        for (int i = 0; i < vs.hosts.size(); i++) {
            for (int j = i + 1; j < vs.hosts.size(); j++) {
                if (Validation.hostsOverlap(vs.hosts.get(i), vs.hosts.get(j))) {
                    node.error(Fields.at("hosts", j), "duplicate hosts in virtual service: " + vs.hosts.get(i)
                            + " & " + vs.hosts.get(j));
                }
            }
        }
    }

    /**
     * A host of a VirtualService bound to gateways: a wildcard domain, or with SNI routing the name
     * Istio generates for AUTO_PASSTHROUGH ({@code outbound_.<port>_._.<hostname>}).
     */
    static String gatewayHostError(boolean sni, String host) {
        if (sni && host.startsWith("outbound_")) {
            String[] parts = host.split("_", -1);
            String format = "outbound_.<PORT>_._.<HOSTNAME>";
            if (parts.length < 4) {
                return "domain name \"" + host + "\" invalid, should follow " + format + " format";
            }
            String port = parts[1].replaceAll("^\\.+|\\.+$", "");
            String hostname = parts[3].replaceAll("^\\.+|\\.+$", "");
            if (!port.matches(".*[0-9].*")) {
                return "domain name \"" + host + "\" invalid (label \"" + port + "\" invalid), should follow "
                        + format + " format";
            }
            if (!hostname.matches(".*[a-zA-Z].*")) {
                return "domain name \"" + host + "\" invalid (label \"" + hostname + "\" invalid), should follow "
                        + format + " format";
            }
            return null;
        }
        return Validation.wildcardDomainError(host);
    }

    /** Gateway references: {@code namespace/name}, {@code name}, {@code mesh}, or legacy {@code name.namespace}. */
    static void checkGatewayNames(Node node, String field, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String at = Fields.at(field, i);
            int slash = name.indexOf('/');
            if (slash < 0) {
                if (name.contains(".")) {
                    String[] parts = name.split("\\.");
                    node.warning(at, "using legacy gateway name format \"" + name
                            + "\"; prefer the <namespace>/<name> format: \"" + parts[1] + "/" + parts[0] + "\"");
                }
                Validation.checkFqdn(node, at, name);
                continue;
            }
            String namespace = name.substring(0, slash);
            String gateway = name.substring(slash + 1);
            if (namespace.isEmpty() || gateway.isEmpty()) {
                node.error(at, "gateway \"" + name + "\": namespace and gateway name cannot be empty");
                continue;
            }
            Validation.checkDnsLabel(node, at, namespace, "namespace");
            Validation.checkDnsLabel(node, at, gateway, "gateway name");
        }
    }

    /**
     * Warns of rules that can never be reached: a rule after one without matches, and matches
     * identical to an earlier rule's. Not errors, as in Istio.
     */
    private static <R, M> void warnUnreachable(Node node, String field, List<R> routes,
            Function<R, List<M>> matchesOf, Function<M, ?> conditions) {
        Map<Object, Integer> seen = new HashMap<>();
        int catchAll = -1;
        for (int i = 0; i < routes.size(); i++) {
            List<M> matches = matchesOf.apply(routes.get(i));
            String at = Fields.at(field, i);
            if (matches.isEmpty()) {
                if (catchAll >= 0) {
                    node.warning(at, "rule not used: rule " + catchAll + " before it has no matches, and only the"
                            + " last rule can have no matches");
                }
                catchAll = i;
                continue;
            }
            int duplicates = 0;
            for (int j = 0; j < matches.size(); j++) {
                Object key = conditions.apply(matches.get(j));
                Integer earlier = seen.putIfAbsent(key, i);
                if (earlier != null) {
                    duplicates++;
                    node.warning(at + ".match[" + j + "]", "match not used: the same match is in rule " + earlier);
                }
            }
            if (duplicates == matches.size()) {
                node.warning(at, "rule not used: all its matches are used by prior rules");
            }
        }
    }
}
