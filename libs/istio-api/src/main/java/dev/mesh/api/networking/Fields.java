package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads fields with proto3's defaults (absent string "", absent number 0, absent enum its zero value)
 * and normalises record components the same way, so that records built with {@code new} in tests
 * behave like parsed ones.
 */
final class Fields {

    private static final long UINT32_MAX = 0xFFFF_FFFFL;

    private Fields() {
    }

    static String string(Node node, String field) {
        String value = node.string(field);
        return value == null ? "" : value;
    }

    /** An int32 field; 0 when absent. */
    static int int32(Node node, String field) {
        Long value = node.integer(field);
        if (value == null) {
            return 0;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            node.error(field, "value " + value + " does not fit in a 32-bit integer");
            return 0;
        }
        return value.intValue();
    }

    /** A uint32 field; 0 when absent. Values past 2^31-1 are refused, as no field of the API needs them. */
    static int uint32(Node node, String field) {
        Integer value = uint32Value(node, field);
        return value == null ? 0 : value;
    }

    /** A {@code google.protobuf.UInt32Value} field: null when absent. */
    static Integer uint32Value(Node node, String field) {
        Long value = node.integer(field);
        if (value == null) {
            return null;
        }
        if (value < 0) {
            node.error(field, "value " + value + " must not be negative");
            return null;
        }
        if (value > Integer.MAX_VALUE) {
            node.error(field, "value " + value + (value > UINT32_MAX ? " does not fit in 32 bits" : " is too large"));
            return null;
        }
        return value.intValue();
    }

    /** A uint64 field; 0 when absent. */
    static long uint64(Node node, String field) {
        Long value = node.integer(field);
        if (value == null) {
            return 0;
        }
        if (value < 0) {
            node.error(field, "value " + value + " must not be negative");
            return 0;
        }
        return value;
    }

    static boolean bool(Node node, String field) {
        Boolean value = node.bool(field);
        return value != null && value;
    }

    static double number(Node node, String field) {
        Double value = node.number(field);
        return value == null ? 0.0 : value;
    }

    /** An enum field; {@code zero} (the proto zero value) when absent or invalid (the error is recorded). */
    static <E extends Enum<E>> E enumValue(Node node, String field, Class<E> type, E zero) {
        E value = node.enumValue(field, type);
        return value == null ? zero : value;
    }

    /** A map from strings to uint32 ({@code ports: {http: 8080}}). */
    static Map<String, Integer> uint32Map(Node node, String field) {
        Map<String, Integer> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : node.stringMap(field).entrySet()) {
            try {
                long value = Long.parseLong(entry.getValue().trim());
                if (value < 0 || value > Integer.MAX_VALUE) {
                    node.error(field + "." + entry.getKey(), "value " + value + " is out of range");
                } else {
                    result.put(entry.getKey(), (int) value);
                }
            } catch (NumberFormatException e) {
                node.error(field + "." + entry.getKey(), "must be an integer, got \"" + entry.getValue() + "\"");
            }
        }
        return Collections.unmodifiableMap(result);
    }

    static String at(String field, int index) {
        return field + "[" + index + "]";
    }

    // ---- normalisation of record components --------------------------------------------------

    static String str(String value) {
        return value == null ? "" : value;
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    /** An immutable copy that keeps the document's order (Map.copyOf would not). */
    static <V> Map<String, V> map(Map<String, V> value) {
        if (value == null || value.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(value));
    }
}
