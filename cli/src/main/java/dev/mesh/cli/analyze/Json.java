package dev.mesh.cli.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lenient reads of raw Kubernetes JSON: absent or mistyped fields read as empty. */
final class Json {

    private Json() {
    }

    static Map<String, String> stringMap(JsonNode node) {
        if (!node.isObject()) {
            return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                map.put(e.getKey(), e.getValue().asText());
            }
        });
        return Collections.unmodifiableMap(map);
    }

    static List<String> strings(JsonNode node) {
        List<String> list = new ArrayList<>();
        for (JsonNode item : node) {
            if (item.isValueNode() && !item.isNull()) {
                list.add(item.asText());
            }
        }
        return List.copyOf(list);
    }
}
