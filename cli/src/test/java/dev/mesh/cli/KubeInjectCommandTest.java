package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.injection.JsonPatch;
import dev.mesh.injection.Yaml;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KubeInjectCommandTest {

    static final Path GOLDEN = Path.of("src/test/resources/testdata/kube-inject");
    /** The injector's golden cases: the webhook's patches are checked against these (injector-webhook tests). */
    static final Path WEBHOOK_GOLDEN = Path.of("../libs/injection/src/test/resources/testdata/inject");
    static final boolean UPDATE = Boolean.getBoolean("update");

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String stdin, String... args) {
        KubeInjectCommand command = new KubeInjectCommand();
        command.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        CommandLine cmd = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyInput_matchesItsGoldenOutput() throws IOException {
        List<Path> inputs;
        try (Stream<Path> files = Files.list(GOLDEN)) {
            inputs = files.filter(p -> p.toString().endsWith(".yaml") && !p.toString().endsWith(".golden.yaml"))
                    .sorted().toList();
        }
        assertThat(inputs).isNotEmpty();
        return inputs.stream().map(input -> DynamicTest.dynamicTest(input.getFileName().toString(), () -> {
            Run r = run("", "-f", input.toString());
            assertThat(r.err()).isEmpty();
            assertThat(r.exitCode()).isZero();
            String name = input.getFileName().toString();
            Path golden = input.resolveSibling(name.replace(".yaml", ".golden.yaml"));
            if (UPDATE) {
                Files.writeString(golden, r.out());
            } else {
                assertThat(golden).as("missing golden file; run with -Dupdate=true").exists();
                assertThat(r.out()).as("golden file %s is stale; run with -Dupdate=true", golden)
                        .isEqualTo(Files.readString(golden));
            }
        }));
    }

    @Test
    void everyGoldenFile_hasItsInput() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN)) {
            for (Path golden : files.filter(p -> p.toString().endsWith(".golden.yaml")).toList()) {
                assertThat(golden.resolveSibling(golden.getFileName().toString().replace(".golden.yaml", ".yaml")))
                        .as("golden file %s has no input", golden).exists();
            }
        }
    }

    /**
     * For every injector golden case the webhook injects, kube-inject on the same pod gives exactly the pod the
     * webhook's golden patch produces (the injector-webhook's HTTPS test checks its answers against that patch).
     */
    @Test
    void output_equalsTheWebhooksPatchApplied_onTheSameInputs() throws IOException {
        List<String> compared = new ArrayList<>();
        try (Stream<Path> files = Files.list(WEBHOOK_GOLDEN)) {
            for (Path input : files.filter(p -> p.toString().endsWith(".golden.yaml")).sorted().toList()) {
                JsonNode golden = Yaml.readAll(Files.readString(input)).get(0);
                if (!golden.path("outcome").asText().equals("INJECTED")) {
                    continue;
                }
                String name = input.getFileName().toString().replace(".golden.yaml", "");
                JsonNode in = Yaml.readAll(Files.readString(input.resolveSibling(name + ".yaml"))).get(0);
                ObjectNode pod = in.get("pod").deepCopy();
                ((ObjectNode) pod.get("metadata")).put("namespace", in.get("namespace").asText());
                List<String> args = new ArrayList<>(List.of("-f", "-"));
                if (in.has("template")) {
                    Path values = tmp.resolve(name + "-values.yaml");
                    Files.writeString(values, Yaml.write(in.get("template")));
                    args.addAll(List.of("--injectConfigFile", values.toString()));
                }
                Run r = run(Yaml.write(pod), args.toArray(String[]::new));
                assertThat(r.exitCode()).as(name + ": " + r.err()).isZero();
                assertThat(Yaml.readAll(r.out())).as(name)
                        .containsExactly(JsonPatch.apply(pod, golden.get("patch")));
                compared.add(name);
            }
        }
        assertThat(compared).hasSizeGreaterThanOrEqualTo(6).contains("native-sidecar", "traffic-annotations");
    }

    @Test
    void outputFile_getsTheResult() throws IOException {
        Path out = tmp.resolve("out.yaml");
        Run r = run("", "-f", GOLDEN.resolve("walkthrough-podinfo.yaml").toString(), "-o", out.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(Files.readString(out)).isEqualTo(
                Files.readString(GOLDEN.resolve("walkthrough-podinfo.golden.yaml")));
    }

    @Test
    void injectAndMeshConfigFiles_setTheValues_evenAsConfigMaps() throws IOException {
        Path values = tmp.resolve("values.yaml");
        Files.writeString(values, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: injector-values}
                data:
                  values.yaml: |
                    proxyImage: registry.local/gateway-proxy:2.0
                    nativeSidecar: true
                """);
        Path mesh = tmp.resolve("mesh.yaml");
        Files.writeString(mesh, """
                trustDomain: corp.example
                defaultConfig: {discoveryAddress: "xds.mesh.svc:15012"}
                ca: {address: "ca.mesh.svc:8060"}
                """);
        Run r = run("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: a}]}\n", "-f", "-",
                "--injectConfigFile", values.toString(), "--meshConfigFile", mesh.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode pod = Yaml.readAll(r.out()).get(0);
        JsonNode proxy = pod.at("/spec/initContainers/1");
        assertThat(proxy.get("name").asText()).isEqualTo("istio-proxy");
        assertThat(proxy.get("image").asText()).isEqualTo("registry.local/gateway-proxy:2.0");
        assertThat(proxy.get("env").toString()).contains("\"TRUST_DOMAIN\",\"value\":\"corp.example\"")
                .contains("\"XDS_ADDR\",\"value\":\"xds.mesh.svc:15012\"")
                .contains("\"CA_ADDR\",\"value\":\"ca.mesh.svc:8060\"");
    }

    @Test
    void malformedTrafficAnnotation_failsNamingTheResource() {
        Run r = run("""
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    metadata: {annotations: {traffic.sidecar.istio.io/includeOutboundIPRanges: "10.0.0.1"}}
                    spec: {containers: [{name: web, image: nginx}]}
                """, "-f", "-");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("Deployment shop/web")
                .contains("traffic.sidecar.istio.io/includeOutboundIPRanges=\"10.0.0.1\"");
    }

    @Test
    void unreadableOrInvalidInputs_areDataErrors() throws IOException {
        assertThat(run("", "-f", tmp.resolve("missing.yaml").toString()).err()).contains("cannot read");
        assertThat(run("a: [\n", "-f", "-").err()).contains("standard input is not YAML");
        Path values = tmp.resolve("bad-values.yaml");
        Files.writeString(values, "proxyImag: x\n");
        Run r = run("kind: Pod\n", "-f", "-", "--injectConfigFile", values.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
        assertThat(r.err()).contains("unknown key \"proxyImag\"");
    }

    @Test
    void missingFilename_isAUsageError() {
        assertThat(run("").exitCode()).isEqualTo(ExitCodes.INCORRECT_USAGE);
    }
}
