package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Istio's {@code gateway.ConflictingGatewayAnalyzer}: two Gateways that select the same gateway workloads and
 * declare a server on the same port for the same host (and bind address) conflict (IST0145, on each of them).
 *
 * <p>Selectors are the same when they are equal, or when one's text contains the other's and some pod carries both.
 * A server without a port counts as port 0. A Gateway with a selector but no server, whose selector no other Gateway
 * shares, is reported as selecting nothing (IST0101 "selector"), as Istio does.
 */
public final class ConflictingGatewayAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        List<IstioResource<Gateway>> gateways = context.gateways();
        for (IstioResource<Gateway> gw : gateways) {
            Map<String, String> selector = gw.spec().selector();
            String selectorText = Selectors.toString(selector);
            List<IstioResource<Gateway>> sameWorkloads = new ArrayList<>();
            for (IstioResource<Gateway> other : gateways) {
                if (!other.spec().servers().isEmpty() && sameWorkloads(context, selector, other.spec().selector())) {
                    sameWorkloads.add(other);
                }
            }
            if (!selectorText.isEmpty() && sameWorkloads.isEmpty()) {
                reporter.report(Messages.referencedResourceNotFound(gw, "selector", selectorText));
                continue;
            }
            for (Server server : gw.spec().servers()) {
                int port = portOf(server);
                List<String> conflicting = new ArrayList<>();
                for (IstioResource<Gateway> other : sameWorkloads) {
                    if (other == gw || fullName(other).equals(fullName(gw))) {
                        continue;
                    }
                    if (other.spec().servers().stream().anyMatch(s -> portOf(s) == port && sameHost(server, s))) {
                        conflicting.add(Hosts.display(fullName(other)));
                    }
                }
                if (!conflicting.isEmpty()) {
                    conflicting.sort(null);
                    reporter.report(Messages.conflictingGateways(gw, String.join(",", conflicting), selectorText,
                            port, String.join(",", server.hosts())));
                }
            }
        }
    }

    /** Whether two selectors pick the same gateway workloads, the way Istio compares them. */
    private static boolean sameWorkloads(AnalysisContext context, Map<String, String> a, Map<String, String> b) {
        String aText = Selectors.toString(a);
        String bText = Selectors.toString(b);
        if (aText.equals(bText)) {
            return true;
        }
        if (!aText.contains(bText) && !bText.contains(aText)) {
            return false;
        }
        return context.workloads().stream()
                .anyMatch(w -> Selectors.matches(a, w.labels()) && Selectors.matches(b, w.labels()));
    }

    /** Some host of {@code server} is also a host of {@code other}, on the same bind address. */
    private static boolean sameHost(Server server, Server other) {
        return server.bind().equals(other.bind()) && server.hosts().stream().anyMatch(other.hosts()::contains);
    }

    private static int portOf(Server server) {
        return server.port() == null ? 0 : server.port().number();
    }

    private static String fullName(IstioResource<Gateway> gw) {
        return gw.metadata().namespace() + "/" + gw.metadata().name();
    }
}
