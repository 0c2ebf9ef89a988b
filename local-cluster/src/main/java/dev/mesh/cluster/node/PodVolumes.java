package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Materialises a pod's volumes as directories under the pod's directory: emptyDir, configMap, secret, projected
 * (serviceAccountToken, configMap, secret, downwardAPI labels/annotations), downwardAPI and hostPath; plus the
 * service-account volume the API server's admission would add ({@code token}, {@code ca.crt}, {@code namespace}).
 * Files are world-readable: containers of one pod run as different uids (the sidecar as 1337) and there is no
 * fsGroup to share them.
 */
final class PodVolumes {

    /** Where the API server's admission mounts the service-account volume. */
    static final String SERVICE_ACCOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    static final String SERVICE_ACCOUNT_VOLUME = "kube-api-access-local";
    private static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(1);

    /** A volume's source (ConfigMap, Secret) does not exist yet; the pod waits, as in Kubernetes. */
    static final class NotReadyException extends RuntimeException {
        NotReadyException(String message) {
            super(message);
        }
    }

    private final KubernetesClient client;
    private final ServiceAccountTokens tokens;
    private final String apiCaPem;

    PodVolumes(KubernetesClient client, ServiceAccountTokens tokens, String apiCaPem) {
        this.client = client;
        this.tokens = tokens;
        this.apiCaPem = apiCaPem;
    }

    /**
     * Writes every volume of {@code pod} below {@code dir}; returns volume name → host path.
     *
     * @throws NotReadyException when a non-optional ConfigMap or Secret is missing
     * @throws IllegalArgumentException naming a volume of a kind the node does not support
     */
    Map<String, Path> prepare(JsonNode pod, Path dir) throws IOException {
        String ns = pod.path("metadata").path("namespace").asText("default");
        Map<String, Path> out = new LinkedHashMap<>();
        for (JsonNode volume : pod.path("spec").path("volumes")) {
            String name = volume.path("name").asText();
            Path target = dir.resolve(name);
            if (volume.has("hostPath")) {
                out.put(name, Path.of(volume.path("hostPath").path("path").asText()));
                continue;
            }
            Files.createDirectories(target);
            open(target, "rwxrwxrwx");
            if (volume.has("emptyDir")) {
                out.put(name, target);
            } else if (volume.has("configMap")) {
                configMap(ns, volume.get("configMap"), target, name);
                out.put(name, target);
            } else if (volume.has("secret")) {
                secret(ns, volume.get("secret"), target, name);
                out.put(name, target);
            } else if (volume.has("downwardAPI")) {
                downward(pod, volume.get("downwardAPI"), target);
                out.put(name, target);
            } else if (volume.has("projected")) {
                for (JsonNode source : volume.path("projected").path("sources")) {
                    if (source.has("serviceAccountToken")) {
                        JsonNode t = source.get("serviceAccountToken");
                        String audience = t.path("audience").asText("");
                        write(target.resolve(t.path("path").asText("token")), token(pod, audience.isEmpty()
                                ? List.of() : List.of(audience), Duration.ofSeconds(t.path("expirationSeconds")
                                .asLong(DEFAULT_TOKEN_TTL.toSeconds()))));
                    } else if (source.has("configMap")) {
                        configMap(ns, source.get("configMap"), target, name);
                    } else if (source.has("secret")) {
                        secret(ns, source.get("secret"), target, name);
                    } else if (source.has("downwardAPI")) {
                        downward(pod, source.get("downwardAPI"), target);
                    } else {
                        throw new IllegalArgumentException("volume " + name + ": projected source "
                                + source.fieldNames().next() + " is not supported by the local node");
                    }
                }
                out.put(name, target);
            } else {
                throw new IllegalArgumentException("volume " + name + ": kind " + volume.fieldNames().next()
                        + " is not supported by the local node (emptyDir, configMap, secret, projected,"
                        + " downwardAPI, hostPath are)");
            }
        }
        if (automount(pod)) {
            Path target = dir.resolve(SERVICE_ACCOUNT_VOLUME);
            Files.createDirectories(target);
            open(target, "rwxr-xr-x");
            write(target.resolve("token"), token(pod, List.of(), DEFAULT_TOKEN_TTL));
            write(target.resolve("namespace"), ns);
            if (apiCaPem != null) {
                write(target.resolve("ca.crt"), apiCaPem);
            }
            out.put(SERVICE_ACCOUNT_VOLUME, target);
        }
        return out;
    }

    /** Whether the service-account volume is mounted: the pod's setting, default true (the account's is not read). */
    static boolean automount(JsonNode pod) {
        return pod.path("spec").path("automountServiceAccountToken").asBoolean(true);
    }

    private String token(JsonNode pod, List<String> audiences, Duration ttl) {
        JsonNode metadata = pod.path("metadata");
        String sa = pod.path("spec").path("serviceAccountName").asText("");
        return tokens.issue(metadata.path("namespace").asText("default"), sa.isEmpty() ? "default" : sa,
                metadata.path("name").asText(), metadata.path("uid").asText(""), audiences, ttl);
    }

    private void configMap(String ns, JsonNode ref, Path target, String volume) throws IOException {
        String name = ref.path("name").asText();
        ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
        if (cm == null) {
            if (ref.path("optional").asBoolean(false)) {
                return;
            }
            throw new NotReadyException("volume " + volume + ": configmap \"" + name + "\" not found");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (cm.getData() != null) {
            cm.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        items(ref, data, target);
    }

    private void secret(String ns, JsonNode ref, Path target, String volume) throws IOException {
        String name = ref.path(ref.has("secretName") ? "secretName" : "name").asText();
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        if (secret == null) {
            if (ref.path("optional").asBoolean(false)) {
                return;
            }
            throw new NotReadyException("volume " + volume + ": secret \"" + name + "\" not found");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        items(ref, data, target);
    }

    private static void items(JsonNode ref, Map<String, byte[]> data, Path target) throws IOException {
        if (ref.has("items")) {
            for (JsonNode item : ref.get("items")) {
                byte[] value = data.get(item.path("key").asText());
                if (value != null) {
                    write(target.resolve(item.path("path").asText(item.path("key").asText())), value);
                }
            }
        } else {
            for (Map.Entry<String, byte[]> e : data.entrySet()) {
                write(target.resolve(e.getKey()), e.getValue());
            }
        }
    }

    private static void downward(JsonNode pod, JsonNode spec, Path target) throws IOException {
        for (JsonNode item : spec.path("items")) {
            String field = item.path("fieldRef").path("fieldPath").asText("");
            String value = switch (field) {
                case "metadata.labels" -> keyValues(pod.path("metadata").path("labels"));
                case "metadata.annotations" -> keyValues(pod.path("metadata").path("annotations"));
                default -> ContainerEnv.field(pod, field);
            };
            write(target.resolve(item.path("path").asText()), value);
        }
    }

    private static String keyValues(JsonNode map) {
        StringBuilder out = new StringBuilder();
        map.fields().forEachRemaining(e -> out.append(e.getKey()).append("=\"").append(e.getValue().asText()
                .replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append("\"\n"));
        return out.toString();
    }

    private static void write(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        open(tmp, "rw-r--r--");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void open(Path path, String permissions) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    }
}
