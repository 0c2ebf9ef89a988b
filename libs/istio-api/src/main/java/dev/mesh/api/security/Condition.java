package dev.mesh.api.security;

import dev.mesh.api.Node;
import dev.mesh.api.security.AuthorizationPolicy.Action;
import java.util.List;

/**
 * Istio's {@code security.istio.io} Condition: an attribute of the request and the values it must (or must
 * not) have. The keys are Istio's authorization attributes ({@code request.headers[name]},
 * {@code source.ip}, {@code request.auth.claims[name]}, ...).
 *
 * @param key       the attribute
 * @param values    it must match one of these, when set
 * @param notValues it must match none of these, when set
 */
public record Condition(String key, List<String> values, List<String> notValues) {

    public Condition {
        key = key == null ? "" : key;
        values = values == null ? List.of() : List.copyOf(values);
        notValues = notValues == null ? List.of() : List.copyOf(notValues);
    }

    static Condition parse(Node node, Action action) {
        Condition condition = new Condition(node.string("key"), node.strings("values"), node.strings("notValues"));
        if (condition.key.isEmpty()) {
            node.error("key", "is required");
            return condition;
        }
        if (condition.values.isEmpty() && condition.notValues.isEmpty()) {
            node.error("values", "at least one of values or notValues must be set for key \"" + condition.key + "\"");
        } else {
            condition.checkKey(node);
            condition.checkValues(node, "values", condition.values);
            condition.checkValues(node, "notValues", condition.notValues);
        }
        if (action == Action.CUSTOM && condition.isIdentityAttribute()) {
            node.error("key", "\"" + condition.key + "\" is not supported with the CUSTOM action");
        }
        return condition;
    }

    private void checkKey(Node node) {
        String problem = switch (attribute()) {
            case MAP_KEYED -> isMapKey(key) ? null
                    : "bad key \"" + key + "\": it must name an entry, as in request.headers[User-Agent]";
            case KNOWN -> null;
            case REPLACED_BY_NAMESPACE -> "attribute \"" + key + "\" is not supported: a policy applies to its own"
                    + " namespace (metadata.namespace)";
            case REPLACED_BY_SELECTOR -> "attribute \"" + key + "\" is not supported: use the selector to choose"
                    + " workloads";
            case DEPRECATED -> "attribute \"" + key + "\" is no longer supported (v1alpha1 only)";
            case UNKNOWN -> "unknown attribute \"" + key + "\"; expected one of request.headers[...],"
                    + " source.ip, remote.ip, source.namespace, source.principal, source.serviceAccount,"
                    + " request.auth.principal, request.auth.audiences, request.auth.presenter,"
                    + " request.auth.claims[...], destination.ip, destination.port, connection.sni,"
                    + " experimental.envoy.filters.*";
            default -> null;
        };
        if (problem != null) {
            node.error("key", problem);
        }
    }

    private void checkValues(Node node, String field, List<String> list) {
        if (!SecurityChecks.checkNonEmptyValues(node, field, list)) {
            return;
        }
        switch (attribute()) {
            case IP -> SecurityChecks.checkIpBlocks(node, field, list);
            case PORT -> SecurityChecks.checkPorts(node, field, list);
            case SERVICE_ACCOUNT -> SecurityChecks.checkServiceAccounts(node, field, list);
            default -> {
                // any non-empty string is a valid value
            }
        }
    }

    private enum Attribute {
        KNOWN, MAP_KEYED, IP, PORT, SERVICE_ACCOUNT, REPLACED_BY_NAMESPACE, REPLACED_BY_SELECTOR, DEPRECATED, UNKNOWN
    }

    private Attribute attribute() {
        if (key.startsWith("request.headers") || key.startsWith("request.experimental.inline.headers")
                || key.startsWith("request.auth.claims") || key.startsWith("experimental.envoy.filters.")) {
            return Attribute.MAP_KEYED;
        }
        if (key.startsWith("destination.labels")) {
            return Attribute.REPLACED_BY_SELECTOR;
        }
        return switch (key) {
            case "source.ip", "remote.ip", "destination.ip" -> Attribute.IP;
            case "destination.port" -> Attribute.PORT;
            case "source.serviceAccount" -> Attribute.SERVICE_ACCOUNT;
            case "source.namespace", "source.principal", "request.auth.principal", "request.auth.audiences",
                    "request.auth.presenter", "connection.sni" -> Attribute.KNOWN;
            case "destination.namespace" -> Attribute.REPLACED_BY_NAMESPACE;
            case "destination.name", "destination.user" -> Attribute.DEPRECATED;
            default -> Attribute.UNKNOWN;
        };
    }

    /** {@code name[entry]} with a non-empty name and entry. */
    private static boolean isMapKey(String key) {
        int open = key.indexOf('[');
        return key.endsWith("]") && open > 0 && open < key.length() - 2;
    }

    /** The attributes a CUSTOM authorizer cannot see. */
    private boolean isIdentityAttribute() {
        return key.equals("source.namespace") || key.equals("source.serviceAccount")
                || key.equals("source.principal") || key.startsWith("request.auth.");
    }
}
