package dev.mesh.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A cursor over one JSON object of a manifest, at a known field path, that parse functions read
 * typed fields from. Every type error is recorded against the resource and the field path, and
 * the read carries on with the field treated as absent, so one parse reports every error at once.
 * {@link #finish()} reports the fields nobody read: unknown fields are never silently dropped
 * (they stay in the resource's raw form, and are reported as warnings).
 */
public final class Node {

    private final JsonNode json;
    private final String path;
    private final Problems problems;
    private final Set<String> read = new HashSet<>();
    private boolean ignoreRest;

    private Node(JsonNode json, String path, Problems problems) {
        this.json = json;
        this.path = path;
        this.problems = problems;
    }

    /** The root cursor of a resource's {@code spec} (or any top-level object) at {@code path}. */
    public static Node root(JsonNode json, String path, Problems problems) {
        return new Node(json, path, problems);
    }

    public String path() {
        return path;
    }

    public Problems problems() {
        return problems;
    }

    /** The path of a field of this object, for messages about it. */
    public String pathOf(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    public boolean has(String field) {
        JsonNode value = json.get(field);
        return value != null && !value.isNull();
    }

    /** Records an error about a field of this object (or about the object itself, with null). */
    public void error(String field, String message) {
        problems.error(field == null ? path : pathOf(field), message);
    }

    public void warning(String field, String message) {
        problems.warning(field == null ? path : pathOf(field), message);
    }

    private JsonNode field(String field) {
        read.add(field);
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value;
    }

    public String string(String field) {
        JsonNode value = field(field);
        if (value == null) {
            return null;
        }
        if (!value.isValueNode() || value.isBinary()) {
            error(field, "must be a string, got " + describe(value));
            return null;
        }
        return value.asText();
    }

    /** A string field that must be present and non-empty. */
    public String requiredString(String field) {
        String value = string(field);
        if (value == null && !has(field)) {
            error(field, "is required");
        } else if (value != null && value.isEmpty()) {
            error(field, "must not be empty");
        }
        return value;
    }

    public Long integer(String field) {
        JsonNode value = field(field);
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isTextual()) {
            // protobuf's JSON mapping writes 64-bit integers as strings; accept both forms.
            try {
                return Long.parseLong(value.asText().trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        if (value.isNumber() && value.asDouble() == Math.rint(value.asDouble())) {
            return value.asLong();
        }
        error(field, "must be an integer, got " + describe(value));
        return null;
    }

    public Double number(String field) {
        JsonNode value = field(field);
        if (value == null) {
            return null;
        }
        if (value.isNumber()) {
            return value.asDouble();
        }
        error(field, "must be a number, got " + describe(value));
        return null;
    }

    public Boolean bool(String field) {
        JsonNode value = field(field);
        if (value == null) {
            return null;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        error(field, "must be true or false, got " + describe(value));
        return null;
    }

    /**
     * A duration in the form the Istio CRDs accept ({@code 10s}, {@code 1.5s}, {@code 100ms},
     * {@code 1m30s}, {@code 1h}). Sign and range are the validator's business.
     */
    public Duration duration(String field) {
        String text = string(field);
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            error(field, e.getMessage());
            return null;
        }
    }

    /** An enum field, by the exact upper-case names Istio uses. */
    public <E extends Enum<E>> E enumValue(String field, Class<E> type) {
        String text = string(field);
        if (text == null) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name());
        }
        error(field, "unknown value \"" + text + "\", expected one of " + String.join(", ", names));
        return null;
    }

    public Map<String, String> stringMap(String field) {
        JsonNode value = field(field);
        if (value == null) {
            return Map.of();
        }
        if (!value.isObject()) {
            error(field, "must be a map of strings, got " + describe(value));
            return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode v = entry.getValue();
            if (v.isValueNode() && !v.isNull()) {
                map.put(entry.getKey(), v.asText());
            } else {
                error(field + "." + entry.getKey(), "must be a string, got " + describe(v));
            }
        }
        return Collections.unmodifiableMap(map);
    }

    public List<String> strings(String field) {
        JsonNode value = field(field);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            error(field, "must be a list of strings, got " + describe(value));
            return List.of();
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (item.isValueNode() && !item.isNull()) {
                list.add(item.asText());
            } else {
                error(field + "[" + i + "]", "must be a string, got " + describe(item));
            }
        }
        return List.copyOf(list);
    }

    /** A nested object parsed by {@code parser}; null when absent or not an object. */
    public <T> T object(String field, Function<Node, T> parser) {
        JsonNode value = field(field);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            error(field, "must be an object, got " + describe(value));
            return null;
        }
        Node child = new Node(value, pathOf(field), problems);
        T result = parser.apply(child);
        child.finish();
        return result;
    }

    /** A list of objects, each parsed by {@code parser}; items that are not objects are reported and skipped. */
    public <T> List<T> list(String field, Function<Node, T> parser) {
        JsonNode value = field(field);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            error(field, "must be a list, got " + describe(value));
            return List.of();
        }
        List<T> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String itemPath = pathOf(field) + "[" + i + "]";
            if (!item.isObject()) {
                problems.error(itemPath, "must be an object, got " + describe(item));
                continue;
            }
            Node child = new Node(item, itemPath, problems);
            T parsed = parser.apply(child);
            child.finish();
            if (parsed != null) {
                list.add(parsed);
            }
        }
        return List.copyOf(list);
    }

    /** A map from string keys to objects parsed by {@code parser} (e.g. {@code headers: {name: {exact: v}}}). */
    public <T> Map<String, T> objectMap(String field, Function<Node, T> parser) {
        JsonNode value = field(field);
        if (value == null) {
            return Map.of();
        }
        if (!value.isObject()) {
            error(field, "must be a map, got " + describe(value));
            return Map.of();
        }
        Map<String, T> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String entryPath = pathOf(field) + "." + entry.getKey();
            if (!entry.getValue().isObject()) {
                problems.error(entryPath, "must be an object, got " + describe(entry.getValue()));
                continue;
            }
            Node child = new Node(entry.getValue(), entryPath, problems);
            T parsed = parser.apply(child);
            child.finish();
            if (parsed != null) {
                map.put(entry.getKey(), parsed);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    /** The raw JSON of a field whose content is free-form (e.g. a Struct); null when absent. */
    public JsonNode raw(String field) {
        return field(field);
    }

    /** The names of the fields present in this object, in document order. */
    public List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Marks every field of this object as read: for objects the mesh passes through untouched. */
    public void ignoreOtherFields() {
        ignoreRest = true;
    }

    /** Reports each field present but never read as an unknown field. Called by the parent. */
    void finish() {
        if (ignoreRest) {
            return;
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!read.contains(name)) {
                problems.unknownField(pathOf(name));
            }
        }
    }

    /** Called on a root cursor once its parse function has returned. */
    public void finishRoot() {
        finish();
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isTextual()) {
            return "\"" + value.asText() + "\"";
        }
        return value.toString();
    }
}
