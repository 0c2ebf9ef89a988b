package dev.mesh.injection;

/** Why a pod is left as it is. {@link #tag()} is the metric label and the word the webhook's message uses. */
public enum SkipReason {
    /** The pod shares the node's network namespace: capturing its traffic would capture the node's. */
    HOST_NETWORK("host-network", "the pod uses the host network"),
    /** kube-system and kube-public are never injected, as in Istio. */
    IGNORED_NAMESPACE("ignored-namespace", "the namespace is never injected"),
    /** The mesh's own namespace is never injected, so the control plane can always start (istio/istio#26380). */
    MESH_NAMESPACE("mesh-namespace", "the namespace is the mesh's own"),
    /** A sidecar is there already (istio-proxy container, or the sidecar.istio.io/status annotation). */
    ALREADY_INJECTED("already-injected", "the pod already has a sidecar"),
    /** The namespace is labelled istio-injection=disabled; a pod cannot opt in against it. */
    NAMESPACE_DISABLED("namespace-disabled", "the namespace is labelled istio-injection=disabled"),
    /** The pod's sidecar.istio.io/inject label (or, without it, annotation) says no. */
    POD_OPT_OUT("pod-opt-out", "the pod's sidecar.istio.io/inject says no"),
    /** Neither the namespace (istio-injection=enabled) nor the pod (sidecar.istio.io/inject=true) asks for it. */
    NOT_REQUESTED("not-requested", "neither the namespace nor the pod asks for injection");

    private final String tag;
    private final String description;

    SkipReason(String tag, String description) {
        this.tag = tag;
        this.description = description;
    }

    public String tag() {
        return tag;
    }

    public String description() {
        return description;
    }
}
