package dev.mesh.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCatalogTest {

    @TempDir
    Path root;

    private ImageCatalog catalog() throws Exception {
        Files.createDirectories(root.resolve("samples/podinfo-app/target"));
        Files.writeString(root.resolve("samples/podinfo-app/target/podinfo-app-0.1.0-SNAPSHOT.jar"), "jar");
        Files.writeString(root.resolve("samples/podinfo-app/target/podinfo-app-0.1.0-SNAPSHOT-sources.jar"), "src");
        Files.createDirectories(root.resolve("services/gateway-proxy/target/quarkus-app"));
        Files.writeString(root.resolve("services/gateway-proxy/target/quarkus-app/quarkus-run.jar"), "jar");
        return new ImageCatalog(root);
    }

    @Test
    void imageReferences_splitIntoNameAndTag() {
        assertThat(ImageCatalog.name("ghcr.io/stefanprodan/podinfo:6.7.1")).isEqualTo("podinfo");
        assertThat(ImageCatalog.tag("ghcr.io/stefanprodan/podinfo:6.7.1")).isEqualTo("6.7.1");
        assertThat(ImageCatalog.name("localhost:5000/mesh/gateway-proxy")).isEqualTo("gateway-proxy");
        assertThat(ImageCatalog.tag("localhost:5000/mesh/gateway-proxy")).isEqualTo("latest");
        assertThat(ImageCatalog.name("mesh/telemetry:0.1.0@sha256:abc")).isEqualTo("telemetry");
    }

    @Test
    void podinfo_runsTheSampleJarWithTheTagAsVersion() throws Exception {
        var runnable = (ImageCatalog.Runnable.Java) catalog().resolve("ghcr.io/stefanprodan/podinfo:6.7.1",
                List.of("./podinfo"), List.of("--port=9898", "--level=info"));
        assertThat(runnable.appDir()).isEqualTo(root.resolve("samples/podinfo-app/target"));
        assertThat(runnable.jarName()).isEqualTo("podinfo-app-0.1.0-SNAPSHOT.jar");
        assertThat(runnable.args()).containsExactly("--version=6.7.1", "--port=9898", "--level=info");
    }

    @Test
    void meshImages_runTheirPackagedQuarkusApp_andIstioInitIsCaptureRules() throws Exception {
        ImageCatalog catalog = catalog();
        var proxy = (ImageCatalog.Runnable.Java) catalog.resolve("ghcr.io/mesh/gateway-proxy:0.1.0", List.of(),
                List.of("proxy", "sidecar"));
        assertThat(proxy.appDir()).isEqualTo(root.resolve("services/gateway-proxy/target/quarkus-app"));
        assertThat(proxy.jarName()).isEqualTo("quarkus-run.jar");
        var init = catalog.resolve("ghcr.io/mesh/gateway-proxy:0.1.0", List.of(), List.of("istio-iptables", "-p",
                "15001"));
        assertThat(init).isInstanceOf(ImageCatalog.Runnable.Capture.class);
        assertThatThrownBy(() -> catalog.resolve("mesh/citadel-ca:0.1.0", List.of(), List.of()))
                .hasMessageContaining("which is not built: run ./mvnw -pl services/citadel-ca package");
        assertThatThrownBy(() -> catalog.resolve("nginx:1.27", List.of(), List.of()))
                .hasMessageStartingWith("image nginx:1.27 has no local runnable on this node");
    }

    @Test
    void proxyEntrypoint_translatesIstiosContractUnlessTheJarsOwnVariablesAreSet() {
        assertThat(ImageCatalog.entrypointEnvironment("ghcr.io/mesh/gateway-proxy:0.1.0",
                List.of("proxy", "sidecar", "--domain", "demo.svc.cluster.local"),
                Map.of("XDS_ADDR", "config-distributor.istio-system.svc:15012"), List.of("/var/lib/istio/data")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("MESH_PROXY_MODE", "sidecar",
                        "MESH_PROXY_DISCOVERY_ADDRESS", "config-distributor.istio-system.svc:15012",
                        "MESH_PROXY_SAVED_CONFIG_PATH", "/var/lib/istio/data/last-acked-config.pb"));
        assertThat(ImageCatalog.entrypointEnvironment("mesh/gateway-proxy", List.of(),
                Map.of("MESH_PROXY_MODE", "router", "XDS_ADDR", "x:1", "MESH_PROXY_DISCOVERY_ADDRESS", "y:2"),
                List.of())).isEmpty();
        assertThat(ImageCatalog.entrypointEnvironment("ghcr.io/stefanprodan/podinfo:6.7.1", List.of("proxy", "x"),
                Map.of("XDS_ADDR", "x:1"), List.of())).isEmpty();
    }
}
