package dev.mesh.cli.analyze;

import dev.mesh.api.networking.Destination;
import dev.mesh.api.networking.HTTPMirrorPolicy;
import dev.mesh.api.networking.HTTPRoute;
import dev.mesh.api.networking.HTTPRouteDestination;
import dev.mesh.api.networking.RouteDestination;
import dev.mesh.api.networking.TCPRoute;
import dev.mesh.api.networking.TLSRoute;
import dev.mesh.api.networking.VirtualService;
import java.util.ArrayList;
import java.util.List;

/** The destinations of a VirtualService, in the order Istio's analyzers visit them (tcp, tls, http). */
final class RouteDestinations {

    /** A route destination; {@code destination} is null when the route names none (reported as host ""). */
    record Found(Destination destination) {

        String host() {
            return destination == null ? "" : destination.host();
        }

        String subset() {
            return destination == null ? "" : destination.subset();
        }

        /** The port number, or 0 when the destination selects none. */
        int port() {
            return destination == null || destination.port() == null ? 0 : destination.port().number();
        }
    }

    private RouteDestinations() {
    }

    static List<Found> routes(VirtualService vs) {
        List<Found> found = new ArrayList<>();
        for (TCPRoute r : vs.tcp()) {
            for (RouteDestination d : r.route()) {
                found.add(new Found(d.destination()));
            }
        }
        for (TLSRoute r : vs.tls()) {
            for (RouteDestination d : r.route()) {
                found.add(new Found(d.destination()));
            }
        }
        for (HTTPRoute r : vs.http()) {
            for (HTTPRouteDestination d : r.route()) {
                found.add(new Found(d.destination()));
            }
        }
        return found;
    }

    /** {@code mirror} and each of {@code mirrors}, per HTTP route. */
    static List<Found> mirrors(VirtualService vs) {
        List<Found> found = new ArrayList<>();
        for (HTTPRoute r : vs.http()) {
            if (r.mirror() != null) {
                found.add(new Found(r.mirror()));
            }
            for (HTTPMirrorPolicy m : r.mirrors()) {
                found.add(new Found(m.destination()));
            }
        }
        return found;
    }
}
