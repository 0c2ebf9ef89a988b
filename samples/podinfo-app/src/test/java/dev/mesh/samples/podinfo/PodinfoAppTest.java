package dev.mesh.samples.podinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PodinfoAppTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private PodinfoApp app;

    @BeforeEach
    void start() throws Exception {
        app = PodinfoApp.start(PodinfoApp.Settings.from(List.of("--port=0", "--version=6.7.1"),
                Map.of("HOSTNAME", "podinfo-v1-abc")));
    }

    @AfterEach
    void stop() {
        app.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void version_isTheTag() throws Exception {
        HttpResponse<String> response = get("/version");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"version\":\"6.7.1\"}");
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
    }

    @Test
    void root_reportsHostnameAndVersion() throws Exception {
        assertThat(get("/").body()).isEqualTo("{\"hostname\":\"podinfo-v1-abc\",\"version\":\"6.7.1\","
                + "\"message\":\"greetings from podinfo v6.7.1\"}");
    }

    @Test
    void headers_echoesRequestHeadersWithCanonicalNames() throws Exception {
        HttpResponse<String> response = get("/headers", "x-forwarded-client-cert", "By=spiffe://a;URI=\"spiffe://b\"",
                "x-request-id", "42");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"X-Forwarded-Client-Cert\":[\"By=spiffe://a;URI=\\\"spiffe://b\\\"\"]")
                .contains("\"X-Request-Id\":[\"42\"]");
    }

    @Test
    void status_answersWithTheAskedCode() throws Exception {
        HttpResponse<String> response = get("/status/503");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("{\"status\":503}");
        assertThat(get("/status/abc").statusCode()).isEqualTo(400);
        assertThat(get("/status/99").statusCode()).isEqualTo(400);
    }

    @Test
    void delay_waitsTheSecondsAsked() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = get("/delay/1");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.body()).isEqualTo("{\"delay\":1}");
        assertThat(tookMs).isBetween(950L, 5000L);
        assertThat(get("/delay/-1").statusCode()).isEqualTo(400);
        assertThat(get("/delay/" + (PodinfoApp.MAX_DELAY_SECONDS + 1)).statusCode()).isEqualTo(400);
    }

    @Test
    void delay_doesNotHoldUpOtherRequests() throws Exception {
        var slow = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/delay/2"))
                .build(), HttpResponse.BodyHandlers.ofString());
        long start = System.nanoTime();
        assertThat(get("/healthz").body()).isEqualTo("{\"status\":\"OK\"}");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500);
        assertThat(slow.get().statusCode()).isEqualTo(200);
    }

    @Test
    void probesAndUnknownPaths() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> missing = get("/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no such path: /nope");
    }

    @Test
    void settings_comeFromEnvironmentUnlessArgumentsSayOtherwise() {
        PodinfoApp.Settings env = PodinfoApp.Settings.from(List.of(),
                Map.of("PODINFO_PORT", "8080", "PODINFO_VERSION", "6.7.0"));
        assertThat(env.port()).isEqualTo(8080);
        assertThat(env.version()).isEqualTo("6.7.0");
        assertThat(PodinfoApp.Settings.from(List.of(), Map.of()).port()).isEqualTo(9898);
        assertThat(PodinfoApp.Settings.from(List.of("--port=9000", "--level=info"), Map.of("PODINFO_PORT", "8080"))
                .port()).isEqualTo(9000);
    }

    @Test
    void badSettings_nameTheInput() {
        assertThatThrownBy(() -> PodinfoApp.Settings.from(List.of(), Map.of("PODINFO_PORT", "http")))
                .hasMessage("PODINFO_PORT=\"http\" is not a port number");
        assertThatThrownBy(() -> PodinfoApp.Settings.from(List.of("--port=70000"), Map.of()))
                .hasMessage("--port=70000 is outside 0..65535");
        assertThatThrownBy(() -> PodinfoApp.Settings.from(List.of("serve"), Map.of()))
                .hasMessageContaining("argument \"serve\"");
    }
}
