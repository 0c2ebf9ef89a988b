package dev.mesh.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ManifestInjectorTest {

    static final Path DIR = Golden.dir("manifests");
    private final ManifestInjector injector =
            new ManifestInjector(new Injector(), InjectionTemplate.defaults(), "istio-system");

    @TestFactory
    Stream<DynamicTest> everyManifest_matchesItsGoldenFile() throws IOException {
        return Golden.inputs(DIR).stream().map(input -> DynamicTest.dynamicTest(input.getFileName().toString(), () -> {
            List<JsonNode> docs = Yaml.readAll(Files.readString(input));
            String out = Yaml.writeAll(injector.inject(docs));
            Golden.check(Golden.goldenFor(input), out);
            assertThat(Yaml.readAll(out)).as("the output reads back to the same values").isEqualTo(injector.inject(docs));
        }));
    }

    @Test
    void everyGoldenFile_hasItsInput() throws IOException {
        Golden.noOrphans(DIR);
    }

    @Test
    void injectingTwice_changesNothingTheSecondTime() throws IOException {
        List<JsonNode> once = injector.inject(Yaml.readAll(Files.readString(DIR.resolve("workloads.yaml"))));
        assertThat(injector.inject(once)).isEqualTo(once);
    }

    @Test
    void otherKinds_passThroughUnchanged() throws IOException {
        List<JsonNode> docs = Yaml.readAll("kind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"1\"}\n---\nkind: Service\n");
        assertThat(injector.inject(docs)).isEqualTo(docs);
    }

    @Test
    void deploymentTemplate_isInjectedLikeItsPodThroughTheWebhookPath() throws IOException {
        JsonNode deployment = Yaml.readAll(Files.readString(DIR.resolve("workloads.yaml"))).get(1);
        JsonNode injected = injector.inject(List.of(deployment)).get(0);
        // The pod the ReplicaSet creates from that template, as the webhook receives it.
        JsonNode pod = Yaml.readAll("""
                apiVersion: v1
                kind: Pod
                metadata:
                  generateName: podinfo-v1-5f7b9c6d4-
                  ownerReferences: [{kind: ReplicaSet, name: podinfo-v1-5f7b9c6d4, controller: true}]
                """).get(0);
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.get("metadata"))
                .setAll((com.fasterxml.jackson.databind.node.ObjectNode) deployment.at("/spec/template/metadata"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod).set("spec", deployment.at("/spec/template/spec"));
        InjectionResult webhook = new Injector().inject(new InjectionRequest(pod, "demo",
                java.util.Map.of("istio-injection", "enabled"), "istio-system", null), InjectionTemplate.defaults());
        JsonNode patched = JsonPatch.apply(pod, webhook.patch());
        assertThat(patched.get("spec")).isEqualTo(injected.at("/spec/template/spec"));
        assertThat(patched.at("/metadata/labels")).isEqualTo(injected.at("/spec/template/metadata/labels"));
        assertThat(patched.at("/metadata/annotations")).isEqualTo(injected.at("/spec/template/metadata/annotations"));
    }

    @Test
    void badAnnotations_refuseNamingTheResource() throws IOException {
        List<JsonNode> docs = Yaml.readAll("""
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    metadata:
                      annotations: {traffic.sidecar.istio.io/excludeInboundPorts: "80,abc"}
                    spec:
                      containers: [{name: web, image: nginx}]
                """);
        assertThatThrownBy(() -> injector.inject(docs)).isInstanceOf(InjectionRefusedException.class)
                .hasMessageContaining("Deployment shop/web")
                .hasMessageContaining("traffic.sidecar.istio.io/excludeInboundPorts=\"80,abc\"")
                .hasMessageContaining("\"abc\" is not a port number");
    }
}
