package dev.mesh.distributor.model;

import java.util.Map;

/**
 * One address behind a Service, from an EndpointSlice.
 *
 * @param ports    by port name ("" for an unnamed port): the port on the endpoint
 * @param podName  the Pod behind the address, empty when the slice does not say
 * @param ready    the slice's {@code conditions.ready} (absent means ready, as Kubernetes says)
 */
public record EndpointModel(String address, Map<String, Integer> ports, String podName, boolean ready) {

    public EndpointModel {
        ports = Map.copyOf(ports);
    }
}
