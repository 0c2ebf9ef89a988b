package dev.mesh.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 6902 JSON Patch, the two halves the injector needs: {@link #diff} writes the operations that turn one
 * document into another (what the webhook returns), {@link #apply} carries them out (what the API server does,
 * and what the tests do to check a patch).
 *
 * <p>The diff is structural: objects key by key, arrays that only grew at the end get {@code add} operations for
 * the new elements, arrays of the same length element by element, any other array change one {@code replace}.
 * That is exact for injection, which appends containers and volumes, and always correct otherwise.
 */
public final class JsonPatch {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonPatch() {
    }

    /** The operations that turn {@code from} into {@code to}; empty when they are equal. */
    public static ArrayNode diff(JsonNode from, JsonNode to) {
        ArrayNode ops = NODES.arrayNode();
        diff("", from, to, ops);
        return ops;
    }

    private static void diff(String path, JsonNode from, JsonNode to, ArrayNode ops) {
        if (from.equals(to)) {
            return;
        }
        if (from.isObject() && to.isObject()) {
            for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!to.has(key)) {
                    ops.addObject().put("op", "remove").put("path", path + "/" + escape(key));
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = path + "/" + escape(field.getKey());
                JsonNode old = from.get(field.getKey());
                if (old == null) {
                    ops.addObject().put("op", "add").put("path", child).set("value", field.getValue().deepCopy());
                } else {
                    diff(child, old, field.getValue(), ops);
                }
            }
            return;
        }
        if (from.isArray() && to.isArray()) {
            if (from.size() == to.size()) {
                for (int i = 0; i < from.size(); i++) {
                    diff(path + "/" + i, from.get(i), to.get(i), ops);
                }
                return;
            }
            if (from.size() < to.size() && isPrefix(from, to)) {
                for (int i = from.size(); i < to.size(); i++) {
                    ops.addObject().put("op", "add").put("path", path + "/" + i).set("value", to.get(i).deepCopy());
                }
                return;
            }
        }
        ops.addObject().put("op", "replace").put("path", path).set("value", to.deepCopy());
    }

    private static boolean isPrefix(JsonNode shorter, JsonNode longer) {
        for (int i = 0; i < shorter.size(); i++) {
            if (!shorter.get(i).equals(longer.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A JSON Pointer reference token: {@code ~} as {@code ~0}, {@code /} as {@code ~1} (annotation keys have them). */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    /**
     * Applies {@code add}, {@code remove}, {@code replace} and {@code test} operations to a copy of the document.
     *
     * @throws IllegalArgumentException naming the operation that does not fit the document
     */
    public static JsonNode apply(JsonNode document, JsonNode patch) {
        JsonNode doc = document.deepCopy();
        for (JsonNode op : patch) {
            String name = op.path("op").asText();
            String path = op.path("path").asText();
            if (path.isEmpty()) {
                if (name.equals("add") || name.equals("replace")) {
                    doc = op.get("value").deepCopy();
                    continue;
                }
                throw new IllegalArgumentException("cannot " + name + " the whole document");
            }
            List<String> tokens = tokens(path);
            JsonNode parent = doc;
            for (String token : tokens.subList(0, tokens.size() - 1)) {
                parent = child(parent, token, path);
            }
            String last = tokens.get(tokens.size() - 1);
            switch (name) {
                case "add" -> add(parent, last, op.get("value").deepCopy(), path);
                case "remove" -> remove(parent, last, path);
                case "replace" -> {
                    remove(parent, last, path);
                    add(parent, last, op.get("value").deepCopy(), path);
                }
                case "test" -> {
                    if (!child(parent, last, path).equals(op.get("value"))) {
                        throw new IllegalArgumentException("test failed at " + path);
                    }
                }
                default -> throw new IllegalArgumentException("unsupported operation \"" + name + "\" at " + path);
            }
        }
        return doc;
    }

    private static List<String> tokens(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path \"" + path + "\" does not start with /");
        }
        List<String> tokens = new ArrayList<>();
        for (String t : path.substring(1).split("/", -1)) {
            tokens.add(unescape(t));
        }
        return tokens;
    }

    private static JsonNode child(JsonNode parent, String token, String path) {
        JsonNode child = parent.isArray() ? parent.get(index(parent, token, path, false)) : parent.get(token);
        if (child == null) {
            throw new IllegalArgumentException("no value at " + path);
        }
        return child;
    }

    private static void add(JsonNode parent, String token, JsonNode value, String path) {
        if (parent instanceof ObjectNode object) {
            object.set(token, value);
        } else if (parent instanceof ArrayNode array) {
            if (token.equals("-")) {
                array.add(value);
            } else {
                array.insert(index(array, token, path, true), value);
            }
        } else {
            throw new IllegalArgumentException("cannot add below a scalar at " + path);
        }
    }

    private static void remove(JsonNode parent, String token, String path) {
        if (parent instanceof ObjectNode object) {
            if (object.remove(token) == null) {
                throw new IllegalArgumentException("no value to remove at " + path);
            }
        } else if (parent instanceof ArrayNode array) {
            array.remove(index(array, token, path, false));
        } else {
            throw new IllegalArgumentException("cannot remove below a scalar at " + path);
        }
    }

    private static int index(JsonNode array, String token, String path, boolean forAdd) {
        if (!token.matches("0|[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException("\"" + token + "\" is not an array index at " + path);
        }
        int i = Integer.parseInt(token);
        if (i > array.size() || (!forAdd && i == array.size())) {
            throw new IllegalArgumentException("index " + i + " out of bounds at " + path);
        }
        return i;
    }
}
