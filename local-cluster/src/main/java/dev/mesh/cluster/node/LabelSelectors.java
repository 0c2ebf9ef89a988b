package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Kubernetes label selectors ({@code matchLabels} and {@code matchExpressions}) over a set of labels. */
public final class LabelSelectors {

    private LabelSelectors() {
    }

    /**
     * Whether {@code selector} (a LabelSelector as JSON; absent or null selects everything, as in the API server)
     * selects {@code labels}.
     *
     * @throws IllegalArgumentException naming the expression whose operator or values are not valid
     */
    public static boolean matches(JsonNode selector, Map<String, String> labels) {
        if (selector == null || selector.isNull() || selector.isMissingNode()) {
            return true;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            String operator = expression.path("operator").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean has = labels.containsKey(key);
            boolean ok = switch (operator) {
                case "In" -> has && values.contains(labels.get(key));
                case "NotIn" -> !has || !values.contains(labels.get(key));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> throw new IllegalArgumentException("label selector expression on \"" + key
                        + "\": operator \"" + operator + "\" is not In, NotIn, Exists or DoesNotExist");
            };
            if ((operator.equals("In") || operator.equals("NotIn")) && values.isEmpty()) {
                throw new IllegalArgumentException("label selector expression on \"" + key + "\": " + operator
                        + " needs at least one value");
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The string map of {@code metadata.labels} (or any string map node); empty when absent. */
    public static Map<String, String> labels(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
