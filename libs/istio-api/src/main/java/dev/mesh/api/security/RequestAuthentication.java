package dev.mesh.api.security;

import dev.mesh.api.Node;
import java.util.List;

/**
 * Istio's {@code security.istio.io} RequestAuthentication spec: which JWTs the selected workloads accept.
 * A request with an invalid token is rejected; a request without one is let through (an
 * AuthorizationPolicy decides whether it needs one).
 *
 * @param selector   the workloads it applies to; null (with no target reference) applies it namespace-wide
 * @param targetRef  a single resource it attaches to instead of a selector; null when absent
 * @param targetRefs resources it attaches to instead of a selector
 * @param jwtRules   the accepted issuers and how to find and check their tokens
 */
public record RequestAuthentication(WorkloadSelector selector, PolicyTargetReference targetRef,
        List<PolicyTargetReference> targetRefs, List<JWTRule> jwtRules) {

    public RequestAuthentication {
        targetRefs = targetRefs == null ? List.of() : List.copyOf(targetRefs);
        jwtRules = jwtRules == null ? List.of() : List.copyOf(jwtRules);
    }

    /**
     * Parses and validates a RequestAuthentication {@code spec} with the rules of Istio's
     * ValidateRequestAuthentication.
     */
    public static RequestAuthentication parse(Node node) {
        WorkloadSelector selector = node.object("selector", WorkloadSelector::parse);
        PolicyTargetReference targetRef = node.object("targetRef", PolicyTargetReference::parse);
        List<PolicyTargetReference> targetRefs = node.list("targetRefs", PolicyTargetReference::parse);
        List<JWTRule> jwtRules = node.list("jwtRules", JWTRule::parse);
        SecurityChecks.checkOneTargeting(node, selector, targetRef, targetRefs);
        return new RequestAuthentication(selector, targetRef, targetRefs, jwtRules);
    }
}
