package dev.mesh.api.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.api.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Helm chart's CRDs: well-formed, structural, one per kind the mesh reads, and accepting the walkthrough. */
class CrdSchemaTest {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final Path CRDS = MODULE.resolve("../../deploy/charts/mesh/crds").normalize();
    private static final Path SEED = MODULE.resolve("../../../shared/seed/manifests").normalize();

    /** Every CRD file by its name, {@code <plural>.<group>}. */
    private static final Map<String, JsonNode> BY_NAME = new LinkedHashMap<>();

    @BeforeAll
    static void readCrds() throws IOException {
        if (!Files.isDirectory(CRDS)) {
            fail("the chart's CRD folder " + CRDS + " is missing");
        }
        try (Stream<Path> files = Files.list(CRDS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode crd = YAML.readTree(file.toFile());
                BY_NAME.put(file.getFileName().toString().replaceAll("\\.yaml$", ""), crd);
            }
        }
        assertThat(BY_NAME).as("CRD files in %s", CRDS).isNotEmpty();
    }

    @Test
    void everyCrd_isAnApiextensionsV1CrdNamedPluralDotGroup() {
        BY_NAME.forEach((file, crd) -> {
            assertThat(crd.path("apiVersion").asText()).as(file).isEqualTo("apiextensions.k8s.io/v1");
            assertThat(crd.path("kind").asText()).as(file).isEqualTo("CustomResourceDefinition");
            String plural = crd.path("spec").path("names").path("plural").asText();
            String group = crd.path("spec").path("group").asText();
            assertThat(crd.path("metadata").path("name").asText()).as(file).isEqualTo(plural + "." + group)
                    .isEqualTo(file);
            assertThat(crd.path("spec").path("scope").asText()).as(file).isEqualTo("Namespaced");
        });
    }

    @Test
    void everyCrd_servesItsGroupsVersions_storingV1_withStatusSubresource() {
        BY_NAME.forEach((file, crd) -> {
            String group = crd.path("spec").path("group").asText();
            List<String> expected = group.equals(Kind.NETWORKING) ? List.of("v1", "v1beta1", "v1alpha3")
                    : List.of("v1", "v1beta1");
            List<String> served = new ArrayList<>();
            List<String> stored = new ArrayList<>();
            for (JsonNode version : crd.path("spec").path("versions")) {
                if (version.path("served").asBoolean()) {
                    served.add(version.path("name").asText());
                }
                if (version.path("storage").asBoolean()) {
                    stored.add(version.path("name").asText());
                }
                assertThat(version.path("subresources").has("status")).as("%s %s status subresource", file,
                        version.path("name").asText()).isTrue();
                JsonNode status = version.path("schema").path("openAPIV3Schema").path("properties").path("status");
                assertThat(status.path("x-kubernetes-preserve-unknown-fields").asBoolean())
                        .as("%s %s status is preserved", file, version.path("name").asText()).isTrue();
            }
            assertThat(served).as("%s served versions", file).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(stored).as("%s storage versions", file).containsExactly("v1");
        });
    }

    @Test
    void everySchema_isStructural() {
        BY_NAME.forEach((file, crd) -> {
            for (JsonNode version : crd.path("spec").path("versions")) {
                JsonNode schema = version.path("schema").path("openAPIV3Schema");
                assertThat(schema.isObject()).as("%s %s has a schema", file, version.path("name").asText()).isTrue();
                List<String> problems = new ArrayList<>();
                checkStructural(schema, "openAPIV3Schema", false, problems);
                assertThat(problems).as("%s %s structural problems", file, version.path("name").asText()).isEmpty();
            }
        });
    }

    /**
     * Kubernetes' structural rules, the part that matters here: every node that is not int-or-string or
     * preserved says its type; properties and additionalProperties never appear together; junctors only
     * constrain values (no types or properties of their own, except int-or-string's anyOf).
     */
    private static void checkStructural(JsonNode node, String path, boolean inJunctor, List<String> problems) {
        boolean intOrString = node.path("x-kubernetes-int-or-string").asBoolean(false);
        boolean preserve = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (inJunctor) {
            for (String forbidden : List.of("type", "properties", "items", "additionalProperties", "nullable",
                    "description", "default")) {
                if (node.has(forbidden)) {
                    problems.add(path + ": '" + forbidden + "' inside a junctor");
                }
            }
        } else if (!node.has("type") && !intOrString && !preserve) {
            problems.add(path + ": no type");
        }
        if (node.has("properties") && node.has("additionalProperties")) {
            problems.add(path + ": both properties and additionalProperties");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            checkStructural(property.getValue(), path + ".properties." + property.getKey(), inJunctor, problems);
        }
        if (node.has("items")) {
            checkStructural(node.get("items"), path + ".items", inJunctor, problems);
        }
        if (node.path("additionalProperties").isObject()) {
            checkStructural(node.get("additionalProperties"), path + ".additionalProperties", inJunctor, problems);
        }
        for (String junctor : List.of("allOf", "anyOf", "oneOf")) {
            if (junctor.equals("anyOf") && intOrString) {
                continue;
            }
            int i = 0;
            for (JsonNode branch : node.path(junctor)) {
                checkStructural(branch, path + "." + junctor + "[" + i++ + "]", true, problems);
            }
        }
        if (node.has("not")) {
            checkStructural(node.get("not"), path + ".not", true, problems);
        }
    }

    @Test
    void thereIsOneCrd_forEveryKindTheMeshReads() {
        assertThat(BY_NAME).hasSameSizeAs(Kind.ALL);
        for (Kind<?> kind : Kind.ALL) {
            JsonNode crd = BY_NAME.get(kind.plural() + "." + kind.group());
            assertThat(crd).as("CRD for %s", kind).isNotNull();
            JsonNode names = crd.path("spec").path("names");
            assertThat(crd.path("spec").path("group").asText()).isEqualTo(kind.group());
            assertThat(names.path("kind").asText()).isEqualTo(kind.kind());
            assertThat(names.path("plural").asText()).isEqualTo(kind.plural());
            assertThat(names.path("singular").asText()).isEqualTo(kind.kind().toLowerCase(java.util.Locale.ROOT));
            List<String> shortNames = new ArrayList<>();
            names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
            if (kind.shortName() == null) {
                assertThat(shortNames).as("%s short names", kind).isEmpty();
            } else {
                assertThat(shortNames).as("%s short names", kind).containsExactly(kind.shortName());
            }
            List<String> categories = new ArrayList<>();
            names.path("categories").forEach(n -> categories.add(n.asText()));
            assertThat(categories).containsExactly("istio-io", kind.group().replace('.', '-'));
            List<String> served = new ArrayList<>();
            crd.path("spec").path("versions").forEach(v -> served.add(v.path("name").asText()));
            assertThat(served).containsExactlyInAnyOrderElementsOf(kind.versions());
        }
    }

    @Test
    void printerColumns_areIstios() {
        assertThat(columns("virtualservices.networking.istio.io"))
                .containsExactly("Gateways=.spec.gateways", "Hosts=.spec.hosts", "Age=.metadata.creationTimestamp");
        assertThat(columns("destinationrules.networking.istio.io"))
                .containsExactly("Host=.spec.host", "Age=.metadata.creationTimestamp");
        assertThat(columns("serviceentries.networking.istio.io")).containsExactly("Hosts=.spec.hosts",
                "Location=.spec.location", "Resolution=.spec.resolution", "Age=.metadata.creationTimestamp");
        assertThat(columns("peerauthentications.security.istio.io"))
                .containsExactly("Mode=.spec.mtls.mode", "Age=.metadata.creationTimestamp");
        assertThat(columns("authorizationpolicies.security.istio.io"))
                .containsExactly("Action=.spec.action", "Age=.metadata.creationTimestamp");
    }

    private static List<String> columns(String crd) {
        List<String> columns = new ArrayList<>();
        for (JsonNode column : BY_NAME.get(crd).path("spec").path("versions").get(0).path("additionalPrinterColumns")) {
            columns.add(column.path("name").asText() + "=" + column.path("jsonPath").asText());
        }
        return columns;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway.yaml", "destination-rule.yaml", "virtualservice-canary.yaml",
            "peer-authentication.yaml"})
    void walkthroughManifest_validatesAgainstItsCrd(String name) throws IOException {
        Path file = SEED.resolve(name);
        assertThat(file).as("the walkthrough's manifest %s", file).exists();
        JsonNode document = YAML.readTree(file.toFile());

        assertThat(validate(document)).as("%s against its CRD", name).isEmpty();
    }

    @Test
    void wrongType_isRejectedWithItsPath() {
        List<String> errors = validate(yaml("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: demo}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: eighty, name: http, protocol: HTTP}
                    hosts: ["*"]
                """));
        assertThat(errors).containsExactly("spec.servers[0].port.number: must be of type integer, got string \"eighty\"");
    }

    @Test
    void badEnum_isRejectedWithItsPath() {
        List<String> errors = validate(yaml("""
                apiVersion: security.istio.io/v1beta1
                kind: PeerAuthentication
                metadata: {name: default, namespace: demo}
                spec: {mtls: {mode: STRICTEST}}
                """));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("spec.mtls.mode: unsupported value \"STRICTEST\"").contains("STRICT");
    }

    @Test
    void unknownFields_missingRequiredFields_andTwoAlternatives_areRejected() {
        List<String> errors = validate(yaml("""
                apiVersion: networking.istio.io/v1alpha3
                kind: VirtualService
                metadata: {name: vs, namespace: demo}
                spec:
                  hosts: [podinfo]
                  http:
                  - match: [{uri: {exact: /a, prefix: /b}}]
                    route: [{weight: 100}]
                    retry: {attempts: 3}
                """));
        assertThat(errors).anyMatch(e -> e.startsWith("spec.http[0].match[0].uri: must match exactly one"));
        assertThat(errors).contains("spec.http[0].route[0].destination: is required",
                "spec.http[0].retry: unknown field");
    }

    @Test
    void preservedStatus_acceptsAnything() {
        List<String> errors = validate(yaml("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: ap, namespace: demo}
                spec: {action: DENY, rules: [{}]}
                status: {whatever: {nested: [1, 2]}}
                """));
        assertThat(errors).isEmpty();
    }

    /** Validates {@code document} against the schema of the version its apiVersion names. */
    private static List<String> validate(JsonNode document) {
        String apiVersion = document.path("apiVersion").asText();
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        String kind = document.path("kind").asText();
        JsonNode crd = BY_NAME.values().stream()
                .filter(c -> c.path("spec").path("group").asText().equals(group)
                        && c.path("spec").path("names").path("kind").asText().equals(kind))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no CRD for " + apiVersion + " " + kind));
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals(version) && v.path("served").asBoolean()) {
                return StructuralSchemaValidator.validate(v.path("schema").path("openAPIV3Schema"), document);
            }
        }
        throw new AssertionError(apiVersion + " is not served by the " + kind + " CRD");
    }

    private static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
