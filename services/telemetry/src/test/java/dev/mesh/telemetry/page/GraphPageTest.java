package dev.mesh.telemetry.page;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.telemetry.OtlpClient;
import dev.mesh.telemetry.Spans;
import dev.mesh.telemetry.otlp.OtlpReceiver;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The graph page in Debian's headless Chromium against this running service fed with a 90/10 split: the nodes
 * and the "90%" / "10%" edge labels are drawn (the page mirrors every drawn label into the DOM), the failing
 * canary edge is marked failing, and a screenshot is saved as target/graph.png.
 */
@QuarkusTest
class GraphPageTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String NS = "page-demo";

    @Inject
    OtlpReceiver receiver;

    @TestHTTPResource("/")
    URL root;

    @Test
    void page_drawsTheWorkloadsAndTheNinetyTenLabels() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            String message = CHROMIUM + " is missing (apt-get install chromium); the graph page test needs it";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            boolean v1 = i % 10 != 0;
            boolean fail = !v1 && i % 50 == 0; // 20 of v2's 100 requests fail
            spans.add(Spans.gatewayToPodinfo("page-gateway", NS, v1 ? "v1" : "v2", fail ? 503 : 200, 5).build());
        }
        try (OtlpClient client = new OtlpClient(receiver.port())) {
            client.export(Spans.request(spans));
        }
        String page = root + "?namespace=" + NS + "&graphType=versionedApp&duration=60s";

        String dom = chromium("--dump-dom", page);
        assertThat(dom).contains("data-ready=\"true\"");
        assertThat(dom).contains("data-node-id=\"app:" + NS + ":podinfo:v1\"", "data-node-id=\"app:" + NS
                + ":podinfo:v2\"", "data-node-id=\"service:" + NS + ":podinfo\"",
                "data-node-id=\"app:page-gateway:istio-ingressgateway:unknown\"");
        assertThat(dom).containsPattern("data-target=\"app:" + NS + ":podinfo:v1\" data-label=\"90% [0-9.]+ rps\"");
        assertThat(dom).containsPattern("data-target=\"app:" + NS + ":podinfo:v2\" data-label=\"10% [0-9.]+ rps\"");
        assertThat(dom).containsPattern("<tr class=\"failing\" data-edge-id=\"[^\"]+\" data-source=\"service:" + NS
                + ":podinfo\" data-target=\"app:" + NS + ":podinfo:v2\"");
        assertThat(dom).containsPattern("<tr class=\"healthy\" data-edge-id=\"[^\"]+\" data-source=\"service:" + NS
                + ":podinfo\" data-target=\"app:" + NS + ":podinfo:v1\"");

        Path screenshot = Path.of("target", "graph.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, "--window-size=1400,1000", "--hide-scrollbars", page);
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }

    /** Runs headless Chromium with a fresh profile and returns what it printed on stdout. */
    private static String chromium(String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000"));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("chromium", ".log");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            Assertions.fail("chromium did not finish in 90 s: " + Files.readString(stderr));
        }
        assertThat(process.exitValue()).as("chromium exit status; its log: %s", Files.readString(stderr))
                .isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
