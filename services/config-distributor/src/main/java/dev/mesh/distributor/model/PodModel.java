package dev.mesh.distributor.model;

import java.util.List;
import java.util.Map;

/**
 * A Pod as the mesh sees it.
 *
 * @param containerPorts every container port, by name where named
 */
public record PodModel(String name, String namespace, String ip, Map<String, String> labels,
        String serviceAccount, List<ContainerPort> containerPorts, boolean hasSidecar) {

    public PodModel {
        labels = Map.copyOf(labels);
        containerPorts = List.copyOf(containerPorts);
    }

    public record ContainerPort(String name, int port, String protocol) {
    }

    public ObjectKey key() {
        return new ObjectKey(namespace, name);
    }
}
