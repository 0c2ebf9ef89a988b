package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.VirtualService;
import java.util.HashSet;
import java.util.Set;

/**
 * Istio's {@code virtualservice.GatewayAnalyzer}, its IST0101 part: every gateway a VirtualService binds to
 * ({@code name} in its own namespace, or {@code namespace/name}) exists; {@code mesh} is the sidecars, always there.
 */
public final class VirtualServiceGatewayAnalyzer implements Analyzer {

    private static final String MESH_GATEWAY = "mesh";

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        Set<String> gateways = new HashSet<>();
        for (IstioResource<Gateway> gw : context.gateways()) {
            gateways.add(gw.metadata().namespace() + "/" + gw.metadata().name());
        }
        for (IstioResource<VirtualService> vs : context.virtualServices()) {
            for (String ref : vs.spec().gateways()) {
                if (MESH_GATEWAY.equals(ref)) {
                    continue;
                }
                String fullName = ref.contains("/") ? ref : vs.metadata().namespace() + "/" + ref;
                if (!gateways.contains(fullName)) {
                    reporter.report(Messages.referencedResourceNotFound(vs, "gateway", ref));
                }
            }
        }
    }
}
