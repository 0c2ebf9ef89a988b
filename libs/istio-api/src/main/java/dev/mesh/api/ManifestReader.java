package dev.mesh.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests (multi-document YAML, JSON, {@code kind: List}) into typed resources.
 * Pure: the same text always gives the same result, and one bad document never hides the others.
 */
public final class ManifestReader {

    private static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder().build());

    private ManifestReader() {
    }

    /** Reads files, and directories recursively ({@code *.yaml}, {@code *.yml}, {@code *.json}), in name order. */
    public static Manifests readPaths(List<Path> paths) {
        List<Manifest> resources = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path path : paths) {
            for (Path file : expand(path, problems)) {
                String text;
                try {
                    text = Files.readString(file);
                } catch (IOException | UncheckedIOException e) {
                    problems.add(Problem.error(file.toString(), "", "cannot read file: " + e.getMessage()));
                    continue;
                }
                Manifests one = read(file.toString(), text);
                resources.addAll(one.resources());
                problems.addAll(one.readProblems());
            }
        }
        return new Manifests(resources, problems);
    }

    private static List<Path> expand(Path path, List<Problem> problems) {
        if (!Files.exists(path)) {
            problems.add(Problem.error(path.toString(), "", "no such file or directory"));
            return List.of();
        }
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            problems.add(Problem.error(path.toString(), "", "cannot list directory: " + e.getMessage()));
            return List.of();
        }
    }

    /**
     * Reads every document of {@code text}. {@code source} names it in messages. A document that is
     * not YAML stops the read of that text at that point (YAML cannot resynchronise), with the line.
     */
    public static Manifests read(String source, String text) {
        List<Manifest> resources = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int index = 0;
        try (JsonParser parser = YAML.getFactory().createParser(text);
             MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(parser)) {
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                index++;
                readDocument(source, index, doc, resources, problems);
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            problems.add(Problem.error(source, "", "not valid YAML or JSON" + where + ": " + e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            problems.add(Problem.error(source, "", "cannot parse: " + e.getMessage()));
        }
        return new Manifests(resources, problems);
    }

    private static void readDocument(String source, int index, JsonNode doc, List<Manifest> resources,
            List<Problem> problems) {
        // an empty document (between two '---', or after a trailing one) is skipped, as kubectl does
        if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())
                || (doc.isTextual() && doc.asText().isBlank())) {
            return;
        }
        String where = source + " (document " + index + ")";
        if (!doc.isObject()) {
            problems.add(Problem.error(where, "", "a manifest must be an object with apiVersion and kind"));
            return;
        }
        String kind = doc.path("kind").asText("");
        String apiVersion = doc.path("apiVersion").asText("");
        if (kind.equals("List") && doc.path("items").isArray()) {
            for (JsonNode item : doc.get("items")) {
                readDocument(source, index, item, resources, problems);
            }
            return;
        }
        if (kind.isEmpty() || apiVersion.isEmpty()) {
            problems.add(Problem.error(where, "", "missing " + (kind.isEmpty() ? "kind" : "apiVersion")));
            return;
        }
        Manifest manifest = parse(apiVersion, kind, doc, source);
        resources.add(manifest);
    }

    /** Parses one object whose apiVersion and kind are known. */
    public static Manifest parse(String apiVersion, String kind, JsonNode doc, String source) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        JsonNode metaJson = doc.path("metadata");
        Problems metaProblems = new Problems(kind + " (unnamed)");
        ObjectMeta meta = metaJson.isObject()
                ? ObjectMeta.parse(Node.root(metaJson, "metadata", metaProblems))
                : ObjectMeta.of("", "");
        Optional<Kind<?>> istioKind = Kind.find(group, kind);
        if (istioKind.isEmpty()) {
            return new KubeResource(apiVersion, kind, meta, doc, source);
        }
        return parseIstio(istioKind.get(), apiVersion, version, meta, doc, source);
    }

    private static <S> IstioResource<S> parseIstio(Kind<S> kind, String apiVersion, String version, ObjectMeta meta,
            JsonNode doc, String source) {
        Problems problems = new Problems(Manifest.displayName(kind.kind(), meta));
        if (!kind.versions().contains(version)) {
            problems.error("apiVersion", "version " + version + " of " + kind.group() + " is not served; use one of "
                    + String.join(", ", kind.versions()));
        }
        if (meta.name().isEmpty()) {
            problems.error("metadata.name", "is required");
        } else {
            Validation.checkDnsSubdomain(problems, "metadata.name", meta.name());
        }
        JsonNode specJson = doc.path("spec");
        S spec;
        if (specJson.isObject()) {
            Node node = Node.root(specJson, "spec", problems);
            spec = kind.parser().apply(node);
            node.finishRoot();
        } else {
            if (!specJson.isMissingNode() && !specJson.isNull()) {
                problems.error("spec", "must be an object");
            }
            // An absent spec is an empty spec, as in Istio.
            Node node = Node.root(YAML.createObjectNode(), "spec", problems);
            spec = kind.parser().apply(node);
        }
        for (var it = doc.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!List.of("apiVersion", "kind", "metadata", "spec", "status").contains(field)) {
                problems.unknownField(field);
            }
        }
        return new IstioResource<>(kind, apiVersion, meta, spec, doc, source, problems.all(), problems.unknownFields());
    }

    /** Parses the spec of {@code kind} from JSON alone, e.g. for a resource read from the API server. */
    public static <S> IstioResource<S> parseResource(Kind<S> kind, JsonNode doc, String source) {
        String apiVersion = doc.path("apiVersion").asText(kind.apiVersion());
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        JsonNode metaJson = doc.path("metadata");
        ObjectMeta meta = metaJson.isObject()
                ? ObjectMeta.parse(Node.root(metaJson, "metadata", new Problems(kind.kind())))
                : ObjectMeta.of("", "");
        return parseIstio(kind, apiVersion, version, meta, doc, source);
    }

    /** An empty object node, for callers building documents. */
    public static ObjectNode newObject() {
        return YAML.createObjectNode();
    }
}
