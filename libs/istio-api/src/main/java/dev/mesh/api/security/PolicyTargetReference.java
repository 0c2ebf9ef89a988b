package dev.mesh.api.security;

import dev.mesh.api.Node;

/**
 * Istio's {@code istio.type.v1beta1.PolicyTargetReference}: the resource a policy attaches to, instead
 * of a workload selector.
 *
 * @param group     API group of the target; empty for the core group (a Service)
 * @param kind      kind of the target, for instance {@code Service} or {@code Gateway}
 * @param name      name of the target
 * @param namespace must be empty: Istio does not support cross-namespace references
 */
public record PolicyTargetReference(String group, String kind, String name, String namespace) {

    public PolicyTargetReference {
        group = group == null ? "" : group;
        kind = kind == null ? "" : kind;
        name = name == null ? "" : name;
        namespace = namespace == null ? "" : namespace;
    }

    /** Parses and validates one {@code targetRef}, with the rules of Istio's validatePolicyTargetReference. */
    static PolicyTargetReference parse(Node node) {
        PolicyTargetReference ref = new PolicyTargetReference(node.string("group"), node.string("kind"),
                node.string("name"), node.string("namespace"));
        if (ref.name.isEmpty()) {
            node.error("name", "is required");
        }
        if (!ref.namespace.isEmpty()) {
            node.error("namespace", "must not be set (found \"" + ref.namespace
                    + "\"): cross-namespace references are not supported");
        }
        if (ref.kind.isEmpty()) {
            node.error("kind", "is required");
        } else if (!ref.isAllowedTarget()) {
            node.error("kind", "cannot target " + (ref.group.isEmpty() ? "core" : ref.group) + "/" + ref.kind
                    + "; a policy may target a core/Service, a networking.istio.io/ServiceEntry,"
                    + " a gateway.networking.k8s.io/Gateway or a gateway.networking.k8s.io/GatewayClass");
        }
        return ref;
    }

    private boolean isAllowedTarget() {
        String canonicalGroup = group.isEmpty() ? "core" : group;
        return switch (kind) {
            case "Service" -> canonicalGroup.equals("core");
            case "ServiceEntry" -> canonicalGroup.equals("networking.istio.io");
            case "Gateway", "GatewayClass" -> canonicalGroup.equals("gateway.networking.k8s.io");
            default -> false;
        };
    }
}
