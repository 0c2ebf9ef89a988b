package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.VirtualService;
import java.util.List;
import java.util.Optional;

/**
 * Istio's {@code virtualservice.DestinationHostAnalyzer}: every route and mirror destination host of a
 * VirtualService resolves to a Service or ServiceEntry visible from the VirtualService's namespace (IST0101
 * "host" / "mirror host"); a destination port exists on it (IST0101 "host:port"); a destination without a port
 * names a service with exactly one (IST0112).
 */
public final class DestinationHostAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        for (IstioResource<VirtualService> vs : context.virtualServices()) {
            List<String> exportTo = vs.spec().exportTo();
            String ns = vs.metadata().namespace();
            for (RouteDestinations.Found d : RouteDestinations.routes(vs.spec())) {
                check(context, reporter, vs, ns, exportTo, d, "host");
            }
            for (RouteDestinations.Found d : RouteDestinations.mirrors(vs.spec())) {
                check(context, reporter, vs, ns, exportTo, d, "mirror host");
            }
        }
    }

    private static void check(AnalysisContext context, Reporter reporter, IstioResource<VirtualService> vs, String ns,
            List<String> exportTo, RouteDestinations.Found d, String reftype) {
        Optional<ServiceRegistry.Target> target = context.registry().lookup(ns, exportTo, d.host());
        if (target.isEmpty()) {
            reporter.report(Messages.referencedResourceNotFound(vs, reftype, d.host()));
            return;
        }
        List<Integer> ports = target.get().ports();
        if (d.port() == 0) {
            if (ports.size() > 1) {
                reporter.report(Messages.destinationPortSelectorRequired(vs, d.host(), ports));
            }
            return;
        }
        if (!ports.contains(d.port())) {
            reporter.report(Messages.referencedResourceNotFound(vs, "host:port", d.host() + ":" + d.port()));
        }
    }
}
