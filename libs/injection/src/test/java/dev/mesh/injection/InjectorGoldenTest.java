package dev.mesh.injection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case under {@code testdata/inject/}: the decision, the patch and the injected pod against the golden file,
 * and the patch applied to the input gives exactly the injected pod.
 */
class InjectorGoldenTest {

    static final Path DIR = Golden.dir("inject");

    @TestFactory
    Stream<DynamicTest> everyCase_matchesItsGoldenFile() throws IOException {
        List<Path> inputs = Golden.inputs(DIR);
        assertThat(inputs).hasSizeGreaterThanOrEqualTo(12);
        return inputs.stream().map(input -> DynamicTest.dynamicTest(input.getFileName().toString(), () -> {
            Case c = Case.read(input);
            InjectionResult result = new Injector().inject(c.request(), c.template());
            Golden.check(Golden.goldenFor(input), Yaml.write(render(result)));
            if (result.outcome() == InjectionResult.Outcome.INJECTED) {
                assertThat(JsonPatch.apply(c.pod(), result.patch())).isEqualTo(result.pod());
            }
        }));
    }

    @Test
    void everyGoldenFile_hasItsInput() throws IOException {
        Golden.noOrphans(DIR);
    }

    /** What a golden file holds: outcome, reason or message, and for an injection the patch and the pod. */
    static JsonNode render(InjectionResult result) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("outcome", result.outcome().name());
        if (result.skipReason() != null) {
            out.put("skipReason", result.skipReason().tag());
        }
        if (result.message() != null) {
            out.put("message", result.message());
        }
        if (result.outcome() == InjectionResult.Outcome.INJECTED) {
            out.set("patch", result.patch());
            out.set("pod", result.pod());
        }
        return out;
    }

    /** One input file: namespace, its labels, optional template values, the pod. */
    record Case(String namespace, Map<String, String> namespaceLabels, String meshNamespace,
            InjectionTemplate template, JsonNode pod) {

        static Case read(Path file) throws IOException {
            JsonNode root = Yaml.readAll(Files.readString(file)).get(0);
            InjectionTemplate template = root.has("template")
                    ? InjectionTemplate.parse(Yaml.write(root.get("template")))
                    : InjectionTemplate.defaults();
            return new Case(root.path("namespace").asText(), Injector.strings(root.path("namespaceLabels")),
                    root.path("meshNamespace").asText("istio-system"), template, root.get("pod"));
        }

        InjectionRequest request() {
            return new InjectionRequest(pod, namespace, namespaceLabels, meshNamespace, null);
        }
    }
}
