package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * The simple JSONPath that CRD printer columns use: {@code .a.b}, {@code .a[0].b},
 * {@code .a[*].b} and {@code .metadata.annotations['x/y']}.
 */
final class JsonPaths {

    private JsonPaths() {
    }

    /** The value at {@code path} in {@code root}, an array when the path has {@code [*]}, null when absent. */
    static JsonNode select(JsonNode root, String path) {
        String p = path.trim();
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1);
        }
        if (p.startsWith("$")) {
            p = p.substring(1);
        }
        return walk(root, p, 0);
    }

    private static JsonNode walk(JsonNode node, String p, int i) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (i >= p.length()) {
            return node;
        }
        char c = p.charAt(i);
        if (c == '.') {
            int end = i + 1;
            while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
                end++;
            }
            return walk(node.get(p.substring(i + 1, end)), p, end);
        }
        if (c == '[') {
            int close = p.indexOf(']', i);
            if (close < 0) {
                throw new IllegalArgumentException("JSONPath " + p + " has an unclosed '['");
            }
            String inner = p.substring(i + 1, close).trim();
            if (inner.equals("*")) {
                ArrayNode out = Store.JSON.createArrayNode();
                if (node.isArray()) {
                    for (JsonNode e : node) {
                        JsonNode v = walk(e, p, close + 1);
                        if (v != null) {
                            out.add(v);
                        }
                    }
                }
                return out;
            }
            if (inner.startsWith("'") || inner.startsWith("\"")) {
                return walk(node.get(inner.substring(1, inner.length() - 1)), p, close + 1);
            }
            try {
                return walk(node.get(Integer.parseInt(inner)), p, close + 1);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("JSONPath " + p + " has an index that is not a number: " + inner, e);
            }
        }
        throw new IllegalArgumentException("JSONPath " + p + " is not supported at position " + i);
    }
}
