package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mesh.cluster.node.LabelSelectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Kubernetes' RBAC authorizer over the stored ClusterRoles, Roles, ClusterRoleBindings and RoleBindings
 * ({@code rbac.authorization.k8s.io/v1}), for the access reviews: the members of {@code system:masters} may do
 * everything (as the API server's privileged-group authorizer); otherwise every ClusterRoleBinding whose subjects
 * include the user is tried, then, for a namespaced request, every RoleBinding of that namespace; the first rule
 * that matches allows, and the reason names the binding, its role and the subject, as Kubernetes words it. Rules
 * match on verbs, apiGroups, resources ({@code *}, {@code pods/log}, {@code *}{@code /log}), resourceNames and
 * nonResourceURLs ({@code /healthz}, {@code /logs/*}). An aggregated ClusterRole has the rules of the ClusterRoles its
 * {@code aggregationRule} selects, as the aggregation controller would have written them.
 */
final class RbacAuthorizer {

    private static final Logger LOG = Logger.getLogger(RbacAuthorizer.class);
    private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

    /** Reads the stored RBAC objects: the items of a collection path such as {@code .../namespaces/x/rolebindings}. */
    interface Policies {
        List<JsonNode> items(String collectionPath);
    }

    /**
     * What is asked: a resource request (verb on {@code group}/{@code resource}[/{@code subresource}], optionally one
     * {@code name}, in {@code namespace} or cluster-wide when empty), or a non-resource request (verb on {@code path}).
     */
    record Request(boolean resourceRequest, String verb, String namespace, String group, String resource,
            String subresource, String name, String path) {

        static Request resource(String verb, String namespace, String group, String resource, String subresource,
                String name) {
            return new Request(true, verb, nz(namespace), nz(group), nz(resource), nz(subresource), nz(name), "");
        }

        static Request nonResource(String verb, String path) {
            return new Request(false, verb, "", "", "", "", "", nz(path));
        }
    }

    /** The answer: allowed with the binding that allowed it, or not (the reason then names unresolvable roles). */
    record Decision(boolean allowed, String reason) {
    }

    private final Policies policies;

    RbacAuthorizer(Policies policies) {
        this.policies = policies;
    }

    Decision authorize(UserInfo user, Request request) {
        if (user.groups().contains(UserInfo.MASTERS)) {
            return new Decision(true, "");
        }
        List<String> errors = new ArrayList<>();
        Map<String, JsonNode> clusterRoles = byName(policies.items(RBAC + "/clusterroles"));
        for (JsonNode binding : sorted(policies.items(RBAC + "/clusterrolebindings"))) {
            JsonNode subject = subjectFor(user, binding, "");
            if (subject == null) {
                continue;
            }
            List<JsonNode> rules = roleRules(binding, "", clusterRoles, Map.of(), errors);
            if (rules.stream().anyMatch(r -> allows(r, request))) {
                return new Decision(true, "RBAC: allowed by ClusterRoleBinding " + quote(name(binding)) + " of "
                        + roleRefDescription(binding) + " to " + describe(subject, ""));
            }
        }
        String ns = request.namespace();
        if (!ns.isEmpty()) {
            Map<String, JsonNode> roles = byName(policies.items(RBAC + "/namespaces/" + ns + "/roles"));
            for (JsonNode binding : sorted(policies.items(RBAC + "/namespaces/" + ns + "/rolebindings"))) {
                JsonNode subject = subjectFor(user, binding, ns);
                if (subject == null) {
                    continue;
                }
                List<JsonNode> rules = roleRules(binding, ns, clusterRoles, roles, errors);
                if (rules.stream().anyMatch(r -> allows(r, request))) {
                    return new Decision(true, "RBAC: allowed by RoleBinding " + quote(name(binding) + "/" + ns) + " of "
                            + roleRefDescription(binding) + " to " + describe(subject, ns));
                }
            }
        }
        if (errors.isEmpty()) {
            return new Decision(false, "");
        }
        return new Decision(false, "RBAC: " + (errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]"));
    }

    // ---- subjects ----

    /** The first subject of {@code binding} that {@code user} is, or null. */
    private static JsonNode subjectFor(UserInfo user, JsonNode binding, String bindingNamespace) {
        for (JsonNode s : binding.path("subjects")) {
            String kind = s.path("kind").asText();
            String name = s.path("name").asText();
            boolean applies = switch (kind) {
                case "User" -> user.name().equals(name);
                case "Group" -> user.groups().contains(name);
                case "ServiceAccount" -> {
                    // A RoleBinding's ServiceAccount subject without a namespace means one of the binding's namespace.
                    String saNamespace = s.path("namespace").asText("").isEmpty() ? bindingNamespace
                            : s.path("namespace").asText();
                    yield !saNamespace.isEmpty()
                            && user.name().equals(UserInfo.SERVICE_ACCOUNT_PREFIX + saNamespace + ":" + name);
                }
                default -> false;
            };
            if (applies) {
                return s;
            }
        }
        return null;
    }

    private static String describe(JsonNode subject, String bindingNamespace) {
        String kind = subject.path("kind").asText();
        String name = subject.path("name").asText();
        if (kind.equals("ServiceAccount")) {
            String ns = subject.path("namespace").asText("");
            return kind + " " + quote(name + "/" + (ns.isEmpty() ? bindingNamespace : ns));
        }
        return kind + " " + quote(name);
    }

    // ---- roles ----

    private static List<JsonNode> roleRules(JsonNode binding, String bindingNamespace, Map<String, JsonNode> clusterRoles,
            Map<String, JsonNode> roles, List<String> errors) {
        JsonNode ref = binding.path("roleRef");
        String kind = ref.path("kind").asText();
        String name = ref.path("name").asText();
        switch (kind) {
            case "ClusterRole" -> {
                JsonNode role = clusterRoles.get(name);
                if (role == null) {
                    errors.add("clusterrole.rbac.authorization.k8s.io " + quote(name) + " not found");
                    return List.of();
                }
                return clusterRoleRules(role, clusterRoles, new HashSet<>());
            }
            case "Role" -> {
                JsonNode role = bindingNamespace.isEmpty() ? null : roles.get(name);
                if (role == null) {
                    errors.add("role.rbac.authorization.k8s.io " + quote(name) + " not found");
                    return List.of();
                }
                List<JsonNode> rules = new ArrayList<>();
                role.path("rules").forEach(rules::add);
                return rules;
            }
            default -> {
                errors.add("unsupported role reference kind: " + quote(kind));
                return List.of();
            }
        }
    }

    /** A ClusterRole's rules; an aggregated one's are the union of the rules of the ClusterRoles it selects. */
    private static List<JsonNode> clusterRoleRules(JsonNode role, Map<String, JsonNode> clusterRoles, Set<String> seen) {
        seen.add(name(role));
        JsonNode selectors = role.path("aggregationRule").path("clusterRoleSelectors");
        Set<JsonNode> rules = new LinkedHashSet<>();
        role.path("rules").forEach(rules::add);
        if (selectors.isArray()) {
            for (JsonNode other : clusterRoles.values()) {
                if (seen.contains(name(other))) {
                    continue;
                }
                Map<String, String> labels = LabelSelectors.labels(other.path("metadata").path("labels"));
                boolean selected = false;
                for (JsonNode selector : selectors) {
                    try {
                        selected |= LabelSelectors.matches(selector, labels);
                    } catch (IllegalArgumentException e) {
                        // Kubernetes refuses such a ClusterRole at create; this store does not, so it selects nothing.
                        LOG.warnf("ClusterRole %s: aggregationRule selector ignored: %s", name(role), e.getMessage());
                    }
                }
                if (selected) {
                    rules.addAll(clusterRoleRules(other, clusterRoles, seen));
                }
            }
        }
        return List.copyOf(rules);
    }

    private static String roleRefDescription(JsonNode binding) {
        return binding.path("roleRef").path("kind").asText() + " " + quote(binding.path("roleRef").path("name").asText());
    }

    // ---- rules ----

    /** Kubernetes' RuleAllows. */
    static boolean allows(JsonNode rule, Request r) {
        if (!contains(rule.path("verbs"), r.verb())) {
            return false;
        }
        if (!r.resourceRequest()) {
            return nonResourceUrlMatches(rule.path("nonResourceURLs"), r.path());
        }
        if (!contains(rule.path("apiGroups"), r.group())) {
            return false;
        }
        String combined = r.subresource().isEmpty() ? r.resource() : r.resource() + "/" + r.subresource();
        if (!resourceMatches(rule.path("resources"), combined, r.subresource())) {
            return false;
        }
        JsonNode names = rule.path("resourceNames");
        if (!names.isArray() || names.isEmpty()) {
            return true;
        }
        for (JsonNode n : names) {
            if (n.asText().equals(r.name())) {
                return true;
            }
        }
        return false;
    }

    /** The value itself or {@code *}. */
    private static boolean contains(JsonNode list, String value) {
        for (JsonNode v : list) {
            if (v.asText().equals("*") || v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean resourceMatches(JsonNode resources, String combined, String subresource) {
        for (JsonNode v : resources) {
            String res = v.asText();
            if (res.equals("*") || res.equals(combined)) {
                return true;
            }
            if (!subresource.isEmpty() && res.equals("*/" + subresource)) {
                return true;
            }
        }
        return false;
    }

    private static boolean nonResourceUrlMatches(JsonNode urls, String path) {
        for (JsonNode v : urls) {
            String url = v.asText();
            if (url.equals("*") || url.equals(path)) {
                return true;
            }
            if (url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    // ---- helpers ----

    private static Map<String, JsonNode> byName(List<JsonNode> items) {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        sorted(items).forEach(i -> out.put(name(i), i));
        return out;
    }

    private static List<JsonNode> sorted(List<JsonNode> items) {
        List<JsonNode> out = new ArrayList<>(items);
        out.sort(Comparator.comparing(RbacAuthorizer::name));
        return out;
    }

    private static String name(JsonNode o) {
        return o.path("metadata").path("name").asText("");
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
