package dev.mesh.api;

import com.fasterxml.jackson.databind.JsonNode;

/** Any Kubernetes object that is not an Istio resource (Namespace, Pod, Service, Deployment, ...), kept raw. */
public record KubeResource(String apiVersion, String kindName, ObjectMeta metadata, JsonNode raw, String source)
        implements Manifest {

    @Override
    public KubeResource inNamespace(String namespace) {
        if (!metadata.namespace().isEmpty() || "Namespace".equals(kindName)) {
            return this;
        }
        return new KubeResource(apiVersion, kindName, metadata.withNamespace(namespace), raw, source);
    }
}
