package dev.mesh.cli.analyze;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.api.Manifest;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's own analyzer test cases ({@code ../shared/conformance/istio-analyzers/cases}), each run as Istio's harness
 * runs it: the case's input files only, in order, namespaces left as written, the default ingress gateway added, and
 * only the analyzer the case names. For the codes the case checks, the messages must be exactly Istio's expected
 * ones, as a multiset of (code, resource). A case may be excluded only with a reason in
 * {@code conformance-exclusions.yaml}; an exclusion that is no longer needed fails, so the list stays minimal.
 */
class IstioConformanceTest {

    private static final Path CASES = Path.of(System.getProperty("user.dir"))
            .resolve("../../shared/conformance/istio-analyzers/cases").normalize();
    private static final String EXCLUSIONS = "/conformance-exclusions.yaml";
    private static final YAMLMapper YAML = new YAMLMapper();

    static Stream<String> cases() throws IOException {
        if (!Files.isDirectory(CASES)) {
            throw new IllegalStateException("Istio's analyzer conformance cases are missing: expected them at " + CASES
                    + " (the shared directory beside the checkout, ../shared/conformance/istio-analyzers)");
        }
        try (Stream<Path> dirs = Files.list(CASES)) {
            List<String> names = dirs.filter(d -> Files.isRegularFile(d.resolve("expected.yaml")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
            if (names.isEmpty()) {
                throw new IllegalStateException("no conformance case (a directory with expected.yaml) under " + CASES);
            }
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyWhatIstioExpects(String name) throws IOException {
        Path dir = CASES.resolve(name);
        JsonNode expected = YAML.readTree(dir.resolve("expected.yaml").toFile());
        String analyzerName = expected.path("analyzer").asText();
        Analyzer analyzer = Analyzers.byName(analyzerName)
                .orElseThrow(() -> new AssertionError("case " + name + ": no analyzer registered as " + analyzerName));

        List<Manifest> objects = new ArrayList<>();
        List<Problem> readErrors = new ArrayList<>();
        for (JsonNode file : expected.path("input_files")) {
            Path input = dir.resolve(file.asText());
            Manifests read = ManifestReader.read(input.toString(), Files.readString(input));
            objects.addAll(read.resources());
            read.readProblems().stream().filter(Problem::isError).forEach(readErrors::add);
        }
        if (!readErrors.isEmpty()) {
            fail("case %s: input could not be read: %s", name, readErrors);
        }
        AnalysisContext context = AnalysisContext.of(new Manifests(objects, List.of())).withDefaultIngressGateway();
        List<Message> messages = Analyzers.run(context, List.of(analyzer));

        Set<String> checked = new HashSet<>();
        expected.path("codes_checked").forEach(c -> checked.add(c.asText()));
        Map<String, Integer> want = new TreeMap<>();
        for (JsonNode m : expected.path("expected")) {
            want.merge(m.path("code").asText() + " " + m.path("resource").asText(), 1, Integer::sum);
        }
        Map<String, Integer> got = new TreeMap<>();
        for (Message m : messages) {
            if (checked.contains(m.code())) {
                got.merge(m.code() + " " + m.resource(), 1, Integer::sum);
            }
        }

        String exclusion = exclusions().get(name);
        if (want.equals(got)) {
            if (exclusion != null) {
                fail("case %s passes but is excluded in %s; remove the exclusion", name, EXCLUSIONS);
            }
            return;
        }
        Assumptions.assumeTrue(exclusion == null, () -> "excluded: " + exclusion);
        fail("case %s (%s, codes %s):%n  missing:    %s%n  unexpected: %s%n  all messages:%n    %s", name,
                analyzerName, checked, difference(want, got), difference(got, want),
                messages.stream().map(Message::render).collect(Collectors.joining("\n    ")));
    }

    @Test
    void everyExclusionNamesAnExistingCaseAndGivesAReason() throws IOException {
        Set<String> names = cases().collect(Collectors.toSet());
        exclusions().forEach((name, reason) -> {
            if (!names.contains(name)) {
                fail("%s excludes %s, which is not a conformance case", EXCLUSIONS, name);
            }
            if (reason == null || reason.isBlank()) {
                fail("%s excludes %s without a reason", EXCLUSIONS, name);
            }
        });
    }

    /** Each entry of {@code a} as many times as it is in {@code a} beyond {@code b}. */
    private static List<String> difference(Map<String, Integer> a, Map<String, Integer> b) {
        List<String> out = new ArrayList<>();
        a.forEach((key, count) -> {
            for (int i = b.getOrDefault(key, 0); i < count; i++) {
                out.add(key);
            }
        });
        return out;
    }

    /** Case name to the reason it is excluded. */
    private static Map<String, String> exclusions() {
        try (InputStream in = IstioConformanceTest.class.getResourceAsStream(EXCLUSIONS)) {
            if (in == null) {
                throw new IllegalStateException(EXCLUSIONS + " is missing from the test resources");
            }
            JsonNode root = YAML.readTree(in);
            Map<String, String> out = new LinkedHashMap<>();
            JsonNode entries = root == null ? null : root.path("exclusions");
            if (entries != null && entries.isObject()) {
                entries.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText("")));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
