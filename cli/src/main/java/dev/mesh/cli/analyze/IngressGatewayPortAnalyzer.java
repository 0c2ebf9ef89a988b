package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.Server;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Istio's {@code gateway.IngressGatewayPortAnalyzer}: a Gateway's selector matches some pod (IST0101
 * "selector"), and each server port is offered by a TCP port of a Service, in the pod's namespace, that selects
 * one of those pods (IST0162). A service port counts by its {@code port} or its numeric {@code targetPort}: the
 * gateway listens on the target port, but Istio's own cases accept a server port equal to the service port
 * too. If several Services select the gateway's pods, any one offering the port is enough.
 */
public final class IngressGatewayPortAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        for (IstioResource<Gateway> gw : context.gateways()) {
            Map<String, String> selector = gw.spec().selector();
            Set<Integer> offered = new HashSet<>();
            int selected = 0;
            for (Workload pod : context.workloads()) {
                if (!Selectors.matches(selector, pod.labels())) {
                    continue;
                }
                selected++;
                for (KubeService svc : context.services()) {
                    if (!svc.namespace().equals(pod.namespace()) || !Selectors.matches(svc.selector(), pod.labels())) {
                        continue;
                    }
                    for (KubeService.Port port : svc.ports()) {
                        if ("TCP".equals(port.protocol())) {
                            offered.add(port.port());
                            if (port.targetPort() != 0) {
                                offered.add(port.targetPort());
                            }
                        }
                    }
                }
            }
            String selectorText = Selectors.toString(selector);
            if (selected == 0) {
                reporter.report(Messages.referencedResourceNotFound(gw, "selector", selectorText));
                continue;
            }
            List<Server> servers = gw.spec().servers();
            for (Server server : servers) {
                if (server.port() != null && !offered.contains(server.port().number())) {
                    reporter.report(Messages.gatewayPortNotDefinedOnService(gw, server.port().number(), selectorText));
                }
            }
        }
    }
}
