package dev.mesh.api.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mesh.api.Node;
import dev.mesh.api.security.AuthorizationPolicy.Action;
import java.util.List;

/**
 * Istio's {@code security.istio.io} Rule: a request matches when it matches any {@code from}, any
 * {@code to}, and every {@code when}; an absent field matches anything.
 *
 * @param from the sources, or empty for any source
 * @param to   the operations, or empty for any operation
 * @param when extra conditions, all of which must hold
 */
public record Rule(List<From> from, List<To> to, List<Condition> when) {

    public Rule {
        from = from == null ? List.of() : List.copyOf(from);
        to = to == null ? List.of() : List.copyOf(to);
        when = when == null ? List.of() : List.copyOf(when);
    }

    static Rule parse(Node node, Action action) {
        checkNotEmptyList(node, "from");
        checkNotEmptyList(node, "to");
        List<From> from = node.list("from", item -> From.parse(item, action));
        List<To> to = node.list("to", To::parse);
        List<Condition> when = node.list("when", item -> Condition.parse(item, action));
        Rule rule = new Rule(from, to, when);
        if (action == Action.DENY && rule.deniesAllTcp()) {
            node.warning(null, "this DENY rule uses only HTTP attributes, so it denies all traffic to TCP ports in"
                    + " its scope; name the ports explicitly to limit it");
        }
        return rule;
    }

    /** {@code from: []} is not the same as no {@code from}: it is a mistake Istio rejects. */
    private static void checkNotEmptyList(Node node, String field) {
        JsonNode json = node.raw(field);
        if (json != null && json.isArray() && json.isEmpty()) {
            node.error(field, "must not be empty; leave it out to match any " + (field.equals("from")
                    ? "source" : "operation"));
        }
    }

    /**
     * Istio's warning: a DENY rule whose only constraints are HTTP attributes cannot be evaluated on a
     * TCP connection, so it matches (and denies) every TCP connection.
     */
    private boolean deniesAllTcp() {
        boolean fromExists = from.stream().anyMatch(f -> f.source() != null);
        boolean toExists = to.stream().anyMatch(t -> t.operation() != null);
        boolean tcpInFrom = from.stream().anyMatch(f -> f.source() != null && f.source().hasTcpAttributes());
        boolean tcpInTo = to.stream().anyMatch(t -> t.operation() != null && t.operation().hasTcpAttributes());
        return (fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo);
    }

    /**
     * Istio's {@code Rule.From}.
     *
     * @param source the request's source; null only when the entry was invalid
     */
    public record From(Source source) {

        static From parse(Node node, Action action) {
            if (!node.has("source")) {
                node.error("source", "is required");
            }
            return new From(node.object("source", item -> Source.parse(item, action)));
        }
    }

    /**
     * Istio's {@code Rule.To}.
     *
     * @param operation the request's operation; null only when the entry was invalid
     */
    public record To(Operation operation) {

        static To parse(Node node) {
            if (!node.has("operation")) {
                node.error("operation", "is required");
            }
            return new To(node.object("operation", Operation::parse));
        }
    }
}
