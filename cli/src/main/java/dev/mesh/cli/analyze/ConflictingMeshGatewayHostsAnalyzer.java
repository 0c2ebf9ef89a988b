package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.VirtualService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Istio's {@code virtualservice.ConflictingMeshGatewayHostsAnalyzer} (IST0109): two VirtualServices bound to the
 * sidecars ({@code mesh}, or no gateways) that define the same host for the same namespaces leave it undefined which
 * one the sidecars use.
 *
 * <p>Hosts are compared as FQDNs (a short name is qualified with the VirtualService's namespace) within each
 * namespace the VirtualService is exported to ({@code *} when it has no {@code exportTo}). A host exported to one
 * namespace also conflicts with a host exported to all namespaces that it overlaps with (wildcards included). Each
 * VirtualService is reported once, for the first conflict found.
 */
public final class ConflictingMeshGatewayHostsAnalyzer implements Analyzer {

    private static final String ALL_NAMESPACES = "*";
    private static final String LOCAL_NAMESPACE = ".";

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        // "scope/fqdn" -> the VirtualServices defining that host for that scope, in the order read
        Map<String, List<IstioResource<VirtualService>>> byScopedHost = new LinkedHashMap<>();
        for (IstioResource<VirtualService> vs : context.virtualServices()) {
            if (!vs.spec().appliesToMesh()) {
                continue;
            }
            String ns = vs.metadata().namespace();
            for (String scope : scopes(vs.spec().exportTo(), ns)) {
                for (String host : vs.spec().hosts()) {
                    byScopedHost.computeIfAbsent(scope + "/" + ServiceRegistry.toFqdn(ns, host), k -> new ArrayList<>())
                            .add(vs);
                }
            }
        }
        Set<IstioResource<VirtualService>> reported = new HashSet<>();
        for (Map.Entry<String, List<IstioResource<VirtualService>>> e : byScopedHost.entrySet()) {
            String scopedHost = e.getKey();
            List<IstioResource<VirtualService>> conflicting = new ArrayList<>(e.getValue());
            if (!scopedHost.startsWith(ALL_NAMESPACES + "/")) {
                conflicting.addAll(exportedToAll(byScopedHost, fqdnOf(scopedHost)));
            }
            if (conflicting.size() < 2) {
                continue;
            }
            String names = conflicting.stream()
                    .map(vs -> Hosts.display(vs.metadata().namespace() + "/" + vs.metadata().name()))
                    .collect(Collectors.joining(","));
            for (IstioResource<VirtualService> vs : conflicting) {
                if (reported.add(vs)) {
                    reporter.report(Messages.conflictingMeshGatewayHosts(vs, names, scopedHost));
                }
            }
        }
    }

    /** The namespaces a VirtualService's hosts are visible in: {@code *}, or its export targets. */
    private static Set<String> scopes(List<String> exportTo, String namespace) {
        Set<String> scopes = new LinkedHashSet<>();
        if (exportTo.isEmpty() || exportTo.contains(ALL_NAMESPACES)) {
            scopes.add(ALL_NAMESPACES);
            return scopes;
        }
        for (String target : exportTo) {
            scopes.add(LOCAL_NAMESPACE.equals(target) ? namespace : target);
        }
        return scopes;
    }

    /** The VirtualServices that define, for all namespaces, a host overlapping {@code fqdn}. */
    private static List<IstioResource<VirtualService>> exportedToAll(
            Map<String, List<IstioResource<VirtualService>>> byScopedHost, String fqdn) {
        List<IstioResource<VirtualService>> found = new ArrayList<>();
        byScopedHost.forEach((scopedHost, list) -> {
            if (scopedHost.startsWith(ALL_NAMESPACES + "/") && Hosts.overlap(fqdn, fqdnOf(scopedHost))) {
                found.addAll(list);
            }
        });
        return found;
    }

    private static String fqdnOf(String scopedHost) {
        return scopedHost.substring(scopedHost.indexOf('/') + 1);
    }
}
