package dev.mesh.distributor.model;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes Service as the mesh sees it.
 *
 * @param clusterIp empty for headless services
 */
public record ServiceModel(String name, String namespace, String clusterIp, Map<String, String> selector,
        Map<String, String> labels, List<Port> ports) {

    public ServiceModel {
        selector = Map.copyOf(selector);
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
    }

    /**
     * @param targetPort a number, or the name of a container port ("" when it equals {@code port})
     * @param protocol   the L4 protocol (TCP, UDP, SCTP)
     * @param appProtocol the declared application protocol, if any (http, http2, grpc, ...)
     */
    public record Port(String name, int port, String targetPort, String protocol, String appProtocol) {
    }

    public ObjectKey key() {
        return new ObjectKey(namespace, name);
    }

    /** {@code podinfo.demo.svc.cluster.local} with the default domain. */
    public String fqdn(String domain) {
        return name + "." + namespace + ".svc." + domain;
    }
}
