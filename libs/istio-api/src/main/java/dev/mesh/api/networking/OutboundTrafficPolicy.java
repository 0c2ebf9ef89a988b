package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/**
 * What the sidecar does with traffic to destinations unknown to the mesh.
 *
 * @param mode        REGISTRY_ONLY when absent
 * @param egressProxy where ALLOW_ANY sends unknown traffic instead of passing it through; null when absent
 */
public record OutboundTrafficPolicy(Mode mode, Destination egressProxy) {

    public enum Mode { REGISTRY_ONLY, ALLOW_ANY }

    public OutboundTrafficPolicy {
        mode = mode == null ? Mode.REGISTRY_ONLY : mode;
    }

    public static OutboundTrafficPolicy parse(Node node) {
        OutboundTrafficPolicy policy = new OutboundTrafficPolicy(
                Fields.enumValue(node, "mode", Mode.class, Mode.REGISTRY_ONLY),
                node.object("egressProxy", Destination::parse));
        if (policy.egressProxy != null) {
            if (policy.mode != Mode.ALLOW_ANY) {
                node.error("egressProxy", "egressProxy must be set only with the ALLOW_ANY mode, mode is "
                        + policy.mode);
            } else {
                String error = Validation.fqdnError(policy.egressProxy.host());
                if (error != null && !policy.egressProxy.host().isEmpty()) {
                    node.error("egressProxy.host", error);
                }
                if (policy.egressProxy.port() == null) {
                    node.error("egressProxy.port", "is required for an egress proxy");
                }
            }
        }
        return policy;
    }
}
