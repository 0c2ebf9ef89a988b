package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.Subset;
import dev.mesh.api.networking.VirtualService;
import java.util.HashSet;
import java.util.Set;

/**
 * Istio's {@code virtualservice.DestinationRuleAnalyzer}: every route or mirror destination that names a subset
 * finds that subset in a DestinationRule for the same host (IST0101 "host+subset in destinationrule"). Hosts
 * are compared as {@code namespace/name}: short names in the namespace of the resource that writes them.
 */
public final class DestinationRuleAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        Set<String> known = new HashSet<>();
        for (IstioResource<DestinationRule> dr : context.destinationRules()) {
            String ns = dr.metadata().namespace();
            String host = ServiceRegistry.resourceNameOf(ns, ServiceRegistry.toFqdn(ns, dr.spec().host()));
            for (Subset subset : dr.spec().subsets()) {
                known.add(host + "+" + subset.name());
            }
        }
        for (IstioResource<VirtualService> vs : context.virtualServices()) {
            String ns = vs.metadata().namespace();
            for (RouteDestinations.Found d : RouteDestinations.routes(vs.spec())) {
                if (!d.subset().isEmpty() && !known.contains(ServiceRegistry.resourceNameOf(ns, d.host()) + "+" + d.subset())) {
                    reporter.report(Messages.referencedResourceNotFound(vs, "host+subset in destinationrule",
                            d.host() + "+" + d.subset()));
                }
            }
            for (RouteDestinations.Found d : RouteDestinations.mirrors(vs.spec())) {
                if (!d.subset().isEmpty() && !known.contains(ServiceRegistry.resourceNameOf(ns, d.host()) + "+" + d.subset())) {
                    reporter.report(Messages.referencedResourceNotFound(vs, "mirror+subset in destinationrule",
                            d.host() + "+" + d.subset()));
                }
            }
        }
    }
}
