package dev.mesh.injection;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What the injector decides on.
 *
 * @param pod             the pod as submitted (a Pod, or a workload's pod template: {@code metadata} and {@code spec})
 * @param namespace       the namespace the pod is created in
 * @param namespaceLabels that namespace's labels ({@code istio-injection})
 * @param meshNamespace   the mesh's own namespace, never injected
 * @param workloadName    the owning workload's name when the caller knows it (kube-inject on a Deployment), else
 *                        null to derive it from the pod's owner reference or name
 */
public record InjectionRequest(JsonNode pod, String namespace, Map<String, String> namespaceLabels,
        String meshNamespace, String workloadName) {

    public InjectionRequest {
        namespace = namespace == null ? "" : namespace;
        namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
        meshNamespace = meshNamespace == null ? "" : meshNamespace;
    }
}
