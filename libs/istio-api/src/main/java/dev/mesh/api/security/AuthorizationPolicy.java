package dev.mesh.api.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mesh.api.Node;
import java.util.List;

/**
 * Istio's {@code security.istio.io} AuthorizationPolicy spec: which requests the selected workloads
 * allow, deny, audit, or hand to an external authorizer.
 *
 * @param selector   the workloads it applies to; null (with no target reference) applies it namespace-wide
 * @param targetRef  a single resource it attaches to instead of a selector; null when absent
 * @param targetRefs resources it attaches to instead of a selector
 * @param rules      the rules; a request matches the policy when it matches any rule
 * @param action     never null; {@link Action#ALLOW} when not written
 * @param provider   the external authorizer of a {@link Action#CUSTOM} policy; null otherwise
 */
public record AuthorizationPolicy(WorkloadSelector selector, PolicyTargetReference targetRef,
        List<PolicyTargetReference> targetRefs, List<Rule> rules, Action action, ExtensionProvider provider) {

    /** Istio's {@code AuthorizationPolicy.Action}. */
    public enum Action {
        ALLOW, DENY, AUDIT, CUSTOM
    }

    public AuthorizationPolicy {
        targetRefs = targetRefs == null ? List.of() : List.copyOf(targetRefs);
        rules = rules == null ? List.of() : List.copyOf(rules);
        action = action == null ? Action.ALLOW : action;
    }

    /**
     * Parses and validates an AuthorizationPolicy {@code spec} with the rules of Istio's
     * ValidateAuthorizationPolicy.
     */
    public static AuthorizationPolicy parse(Node node) {
        Action written = node.enumValue("action", Action.class);
        Action action = written == null ? Action.ALLOW : written;
        WorkloadSelector selector = node.object("selector", WorkloadSelector::parse);
        PolicyTargetReference targetRef = node.object("targetRef", PolicyTargetReference::parse);
        List<PolicyTargetReference> targetRefs = node.list("targetRefs", PolicyTargetReference::parse);
        List<Rule> rules = node.list("rules", rule -> Rule.parse(rule, action));
        ExtensionProvider provider = node.object("provider", ExtensionProvider::parse);

        SecurityChecks.checkOneTargeting(node, selector, targetRef, targetRefs);
        // Proto semantics: an empty list is the same as no list.
        boolean hasRules = isNonEmptyList(node.raw("rules"));
        if (action == Action.CUSTOM) {
            if (!hasRules) {
                node.error("rules", "a CUSTOM policy without rules never applies; add an empty rule {} to apply it"
                        + " to every request");
            } else if (provider == null) {
                node.error("provider", "is required with the CUSTOM action");
            } else if (provider.name().isEmpty()) {
                node.error("provider.name", "must not be empty with the CUSTOM action");
            }
        } else if (provider != null) {
            node.error("provider", "is only allowed with the CUSTOM action, found action " + action);
        }
        if (action == Action.DENY && !hasRules) {
            node.error("rules", "a DENY policy without rules never applies; add an empty rule {} to deny every"
                    + " request");
        }
        return new AuthorizationPolicy(selector, targetRef, targetRefs, rules, action, provider);
    }

    private static boolean isNonEmptyList(JsonNode json) {
        return json != null && json.isArray() && !json.isEmpty();
    }

    /**
     * Istio's {@code AuthorizationPolicy.ExtensionProvider}: the external authorizer a CUSTOM policy calls.
     *
     * @param name the extension provider's name in the mesh configuration
     */
    public record ExtensionProvider(String name) {

        public ExtensionProvider {
            name = name == null ? "" : name;
        }

        static ExtensionProvider parse(Node node) {
            return new ExtensionProvider(node.string("name"));
        }
    }
}
