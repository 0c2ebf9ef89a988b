package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three patch types of the Kubernetes API, applied to a stored object: JSON Patch (RFC 6902),
 * JSON merge patch (RFC 7386: arrays are replaced, null removes) and strategic merge patch (lists
 * of built-in kinds merged by their key, e.g. containers by name, with the {@code $patch},
 * {@code $deleteFromPrimitiveList} and {@code $setElementOrder} directives kubectl sends).
 */
final class Patches {

    static final String JSON_PATCH = "application/json-patch+json";
    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    static final String APPLY_PATCH = "application/apply-patch+yaml";

    /**
     * Merge keys of the built-in kinds' lists, by field name. {@code ports} is keyed by
     * {@code containerPort} in a container and by {@code port} in a Service; decided per element.
     */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"),
            Map.entry("env", "name"), Map.entry("volumes", "name"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("imagePullSecrets", "name"),
            Map.entry("conditions", "type"), Map.entry("ownerReferences", "uid"), Map.entry("hostAliases", "ip"),
            Map.entry("topologySpreadConstraints", "topologyKey"), Map.entry("readinessGates", "conditionType"),
            Map.entry("secrets", "name"), Map.entry("webhooks", "name"), Map.entry("containerStatuses", "name"),
            Map.entry("initContainerStatuses", "name"), Map.entry("podIPs", "ip"), Map.entry("ports", "port"));

    /** Primitive lists that strategic merge unions instead of replacing. */
    private static final Set<String> MERGED_PRIMITIVE_LISTS = Set.of("finalizers");

    private Patches() {
    }

    static JsonNode apply(String contentType, JsonNode target, JsonNode patch, boolean customResource) {
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
        switch (type) {
            case JSON_PATCH -> {
                if (!patch.isArray()) {
                    throw ApiException.badRequest("a JSON patch must be an array of operations");
                }
                try {
                    return JsonPatch.apply(patch, target);
                } catch (RuntimeException e) {
                    throw ApiException.invalid("the JSON patch cannot be applied: " + e.getMessage());
                }
            }
            case MERGE_PATCH -> {
                requireObject(patch, "merge patch");
                return mergePatch(target, patch);
            }
            case STRATEGIC_MERGE_PATCH -> {
                if (customResource) {
                    throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: "
                            + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
                }
                requireObject(patch, "strategic merge patch");
                return strategicMerge(target, patch, null);
            }
            case APPLY_PATCH -> throw ApiException.unsupportedMediaType(
                    "server-side apply is not supported by the local cluster; use client-side kubectl apply");
            default -> throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - accepted "
                    + "media types include: application/json-patch+json, application/merge-patch+json, "
                    + "application/strategic-merge-patch+json");
        }
    }

    private static void requireObject(JsonNode patch, String what) {
        if (!patch.isObject()) {
            throw ApiException.badRequest("a " + what + " must be a JSON object");
        }
    }

    /** RFC 7386. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Store.JSON.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** Strategic merge of {@code patch} into {@code target}; {@code field} is the name the value sits under. */
    static JsonNode strategicMerge(JsonNode target, JsonNode patch, String field) {
        if (patch.isObject()) {
            ObjectNode p = (ObjectNode) patch;
            String directive = p.path("$patch").asText(null);
            if ("replace".equals(directive)) {
                ObjectNode copy = p.deepCopy();
                copy.remove("$patch");
                return copy;
            }
            if ("delete".equals(directive)) {
                return null;
            }
            ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Store.JSON.createObjectNode();
            List<String> names = new ArrayList<>();
            p.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = p.get(name);
                if (name.startsWith("$setElementOrder/") || name.equals("$retainKeys") || name.equals("$patch")) {
                    continue;
                }
                if (name.startsWith("$deleteFromPrimitiveList/")) {
                    String listName = name.substring("$deleteFromPrimitiveList/".length());
                    JsonNode list = result.get(listName);
                    if (list != null && list.isArray()) {
                        ArrayNode kept = Store.JSON.createArrayNode();
                        list.forEach(v -> {
                            if (!contains(value, v)) {
                                kept.add(v);
                            }
                        });
                        result.set(listName, kept);
                    }
                    continue;
                }
                if (value.isNull()) {
                    result.remove(name);
                    continue;
                }
                JsonNode merged = strategicMerge(result.get(name), value, name);
                if (merged == null) {
                    result.remove(name);
                } else {
                    result.set(name, merged);
                }
            }
            return result;
        }
        if (patch.isArray() && target != null && target.isArray()) {
            return mergeList((ArrayNode) target, (ArrayNode) patch, field);
        }
        return patch.deepCopy();
    }

    private static JsonNode mergeList(ArrayNode target, ArrayNode patch, String field) {
        if (MERGED_PRIMITIVE_LISTS.contains(field)) {
            Set<JsonNode> union = new LinkedHashSet<>();
            target.forEach(union::add);
            patch.forEach(union::add);
            ArrayNode out = Store.JSON.createArrayNode();
            union.forEach(out::add);
            return out;
        }
        String key = MERGE_KEYS.get(field);
        if (key == null || !allObjects(patch) || !allObjects(target)) {
            return stripDirectives(patch);
        }
        ArrayNode out = target.deepCopy();
        for (JsonNode element : patch) {
            String k = "ports".equals(field) && element.has("containerPort") ? "containerPort" : key;
            if ("replace".equals(element.path("$patch").asText(null))) {
                return stripDirectives(patch);
            }
            JsonNode keyValue = element.get(k);
            int index = keyValue == null ? -1 : indexOf(out, k, keyValue);
            if ("delete".equals(element.path("$patch").asText(null))) {
                if (index >= 0) {
                    out.remove(index);
                }
                continue;
            }
            if (index >= 0) {
                out.set(index, strategicMerge(out.get(index), element, null));
            } else {
                out.add(strategicMerge(null, element, null));
            }
        }
        return out;
    }

    private static ArrayNode stripDirectives(ArrayNode list) {
        ArrayNode out = Store.JSON.createArrayNode();
        for (JsonNode e : list) {
            if (e.isObject() && "delete".equals(e.path("$patch").asText(null))) {
                continue;
            }
            out.add(e.isObject() ? strategicMerge(null, e, null) : e);
        }
        return out;
    }

    private static boolean allObjects(ArrayNode list) {
        for (JsonNode e : list) {
            if (!e.isObject()) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(ArrayNode list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) {
            if (value.equals(list.get(i).get(key))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean contains(JsonNode array, JsonNode v) {
        for (JsonNode e : array) {
            if (e.equals(v)) {
                return true;
            }
        }
        return false;
    }
}
