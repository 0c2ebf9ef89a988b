package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment and arguments as the kubelet computes them: {@code env} values with {@code $(VAR)}
 * references to earlier variables, {@code valueFrom} fieldRef (downward API), configMapKeyRef and secretKeyRef,
 * {@code envFrom}; then {@code $(VAR)} in command and args. {@code $$(VAR)} stays literal.
 */
final class ContainerEnv {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

    private ContainerEnv() {
    }

    /** The value of a downward-API field of the pod, as {@code fieldRef.fieldPath} names it. */
    static String field(JsonNode pod, String path) {
        JsonNode metadata = pod.path("metadata");
        Matcher keyed = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
        if (keyed.matches()) {
            return metadata.path(keyed.group(1)).path(keyed.group(2)).asText("");
        }
        return switch (path) {
            case "metadata.name" -> metadata.path("name").asText("");
            case "metadata.namespace" -> metadata.path("namespace").asText("default");
            case "metadata.uid" -> metadata.path("uid").asText("");
            case "spec.serviceAccountName" -> {
                String sa = pod.path("spec").path("serviceAccountName").asText("");
                yield sa.isEmpty() ? "default" : sa;
            }
            case "spec.nodeName" -> pod.path("spec").path("nodeName").asText("");
            case "status.podIP" -> pod.path("status").path("podIP").asText("");
            case "status.hostIP" -> pod.path("status").path("hostIP").asText("");
            default -> throw new IllegalArgumentException("fieldRef " + path + " is not supported by the local node");
        };
    }

    /**
     * The container's variables in order.
     *
     * @param pod the pod with {@code status.podIP} and {@code status.hostIP} already set
     * @throws PodVolumes.NotReadyException when a referenced ConfigMap or Secret (not optional) is missing
     */
    static Map<String, String> resolve(JsonNode pod, JsonNode container, KubernetesClient client) {
        String ns = pod.path("metadata").path("namespace").asText("default");
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String prefix = from.path("prefix").asText("");
            if (from.has("configMapRef")) {
                ConfigMap cm = client.configMaps().inNamespace(ns).withName(from.path("configMapRef").path("name")
                        .asText()).get();
                if (cm == null) {
                    missing(from.path("configMapRef"), "configmap");
                } else if (cm.getData() != null) {
                    cm.getData().forEach((k, v) -> env.put(prefix + k, v));
                }
            } else if (from.has("secretRef")) {
                Secret s = client.secrets().inNamespace(ns).withName(from.path("secretRef").path("name").asText())
                        .get();
                if (s == null) {
                    missing(from.path("secretRef"), "secret");
                } else if (s.getData() != null) {
                    s.getData().forEach((k, v) -> env.put(prefix + k, decode(v)));
                }
            }
        }
        for (JsonNode var : container.path("env")) {
            String name = var.path("name").asText();
            if (var.has("valueFrom")) {
                JsonNode from = var.get("valueFrom");
                if (from.has("fieldRef")) {
                    env.put(name, field(pod, from.path("fieldRef").path("fieldPath").asText()));
                } else if (from.has("configMapKeyRef")) {
                    JsonNode ref = from.get("configMapKeyRef");
                    ConfigMap cm = client.configMaps().inNamespace(ns).withName(ref.path("name").asText()).get();
                    String value = cm == null || cm.getData() == null ? null : cm.getData().get(ref.path("key").asText());
                    if (value == null) {
                        missing(ref, "configmap key " + ref.path("key").asText() + " of");
                    } else {
                        env.put(name, value);
                    }
                } else if (from.has("secretKeyRef")) {
                    JsonNode ref = from.get("secretKeyRef");
                    Secret s = client.secrets().inNamespace(ns).withName(ref.path("name").asText()).get();
                    String value = s == null || s.getData() == null ? null : s.getData().get(ref.path("key").asText());
                    if (value == null) {
                        missing(ref, "secret key " + ref.path("key").asText() + " of");
                    } else {
                        env.put(name, decode(value));
                    }
                } else if (from.has("resourceFieldRef")) {
                    env.put(name, "0");
                } else {
                    throw new IllegalArgumentException("env " + name + ": valueFrom " + from
                            + " is not supported by the local node");
                }
            } else {
                env.put(name, expand(var.path("value").asText(""), env));
            }
        }
        return env;
    }

    /** {@code command} then {@code args}, each with {@code $(VAR)} expanded from {@code env}. */
    static List<String> expandAll(JsonNode list, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        list.forEach(item -> out.add(expand(item.asText(), env)));
        return out;
    }

    /** Kubernetes expansion: a defined {@code $(VAR)} is replaced, an undefined one stays, {@code $$} is {@code $}. */
    static String expand(String text, Map<String, String> env) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String value = env.get(m.group(1));
                replacement = value != null ? value : m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void missing(JsonNode ref, String what) {
        if (!ref.path("optional").asBoolean(false)) {
            throw new PodVolumes.NotReadyException(what + " \"" + ref.path("name").asText() + "\" not found");
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
