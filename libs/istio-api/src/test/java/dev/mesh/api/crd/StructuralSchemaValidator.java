package dev.mesh.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a document against a CRD's structural OpenAPI v3 schema the way the API server does before
 * it stores an object: types, enums, required fields, bounds, unknown fields (rejected unless the schema
 * preserves them) and the {@code oneOf}/{@code anyOf}/{@code allOf}/{@code not} junctors. CEL rules
 * ({@code x-kubernetes-validations}) are not evaluated.
 */
final class StructuralSchemaValidator {

    /** Every object may carry these at its root; the API server handles them itself. */
    private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

    private StructuralSchemaValidator() {
    }

    /** The problems of {@code document} against {@code openApiV3Schema}, each as {@code path: message}. */
    static List<String> validate(JsonNode openApiV3Schema, JsonNode document) {
        List<String> errors = new ArrayList<>();
        check(openApiV3Schema, document, "", true, errors);
        return errors;
    }

    private static void check(JsonNode schema, JsonNode value, String path, boolean root, List<String> errors) {
        if (value == null || value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                errors.add(path + ": must not be null");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !hasType(value, type)) {
            errors.add(path + ": must be of type " + type + ", got " + describe(value));
            return;
        }
        checkEnum(schema, value, path, errors);
        checkBounds(schema, value, path, errors);
        checkJunctors(schema, value, path, errors);
        if (value.isObject()) {
            checkObject(schema, value, path, root, errors);
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", false, errors);
            }
        }
    }

    private static void checkObject(JsonNode schema, JsonNode value, String path, boolean root, List<String> errors) {
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                errors.add(join(path, required.asText()) + ": is required");
            }
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String fieldPath = join(path, field.getKey());
            if (properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), fieldPath, false, errors);
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), fieldPath, false, errors);
            } else if (!preserve && !(root && ROOT_FIELDS.contains(field.getKey()))
                    && !(additional != null && additional.asBoolean(false))) {
                errors.add(fieldPath + ": unknown field");
            }
        }
    }

    private static void checkEnum(JsonNode schema, JsonNode value, String path, List<String> errors) {
        JsonNode allowed = schema.get("enum");
        if (allowed == null) {
            return;
        }
        for (JsonNode candidate : allowed) {
            if (candidate.equals(value)) {
                return;
            }
        }
        errors.add(path + ": unsupported value " + value + ", expected one of " + allowed);
    }

    private static void checkBounds(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                errors.add(path + ": must be at least " + schema.get("minimum"));
            }
            if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
                errors.add(path + ": must be at most " + schema.get("maximum"));
            }
        }
        if (value.isTextual()) {
            int length = value.asText().codePointCount(0, value.asText().length());
            if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
                errors.add(path + ": must be at least " + schema.get("minLength") + " characters");
            }
            if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
                errors.add(path + ": must be at most " + schema.get("maxLength") + " characters");
            }
            if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                errors.add(path + ": must match " + schema.get("pattern").asText());
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                errors.add(path + ": must have at least " + schema.get("minItems") + " items");
            }
            if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
                errors.add(path + ": must have at most " + schema.get("maxItems") + " items");
            }
        }
        if (value.isObject()) {
            if (schema.has("minProperties") && value.size() < schema.get("minProperties").asInt()) {
                errors.add(path + ": must have at least " + schema.get("minProperties") + " properties");
            }
            if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
                errors.add(path + ": must have at most " + schema.get("maxProperties") + " properties");
            }
        }
    }

    /** In a structural schema the junctors only add value validations (here: required fields) to a node. */
    private static void checkJunctors(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema.has("allOf")) {
            for (JsonNode branch : schema.get("allOf")) {
                checkJunctors(branch, value, path, errors);
                checkRequiredOnly(branch, value, path, errors);
            }
        }
        if (schema.has("anyOf") && !schema.has("x-kubernetes-int-or-string")) {
            long matching = count(schema.get("anyOf"), value, path);
            if (matching == 0) {
                errors.add(path + ": must match at least one of the alternatives " + schema.get("anyOf"));
            }
        }
        if (schema.has("oneOf")) {
            long matching = count(schema.get("oneOf"), value, path);
            if (matching != 1) {
                errors.add(path + ": must match exactly one of the alternatives (only one of these fields may be set) "
                        + schema.get("oneOf"));
            }
        }
        if (schema.has("not") && matches(schema.get("not"), value, path)) {
            errors.add(path + ": must not match " + schema.get("not"));
        }
    }

    private static long count(JsonNode branches, JsonNode value, String path) {
        long n = 0;
        for (JsonNode branch : branches) {
            if (matches(branch, value, path)) {
                n++;
            }
        }
        return n;
    }

    private static boolean matches(JsonNode branch, JsonNode value, String path) {
        List<String> scratch = new ArrayList<>();
        checkJunctors(branch, value, path, scratch);
        checkRequiredOnly(branch, value, path, scratch);
        return scratch.isEmpty();
    }

    private static void checkRequiredOnly(JsonNode branch, JsonNode value, String path, List<String> errors) {
        for (JsonNode required : branch.path("required")) {
            if (!value.isObject() || !value.has(required.asText())) {
                errors.add(join(path, required.asText()) + ": is required");
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> false;
        };
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "a list";
        }
        return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + value;
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
