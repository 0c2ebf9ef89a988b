package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.ScenarioProxy;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The admin API on loopback: {@code /stats}, {@code /quitquitquit}, {@code /logging}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminEndpointsScenarioTest {

    static final String SERVICE = "admin.demo.svc.cluster.local";
    static final String CLUSTER = clusterName(null, SERVICE);

    @TempDir
    static Path dir;
    ScenarioProxy scenario;
    Vertx vertx;
    GatewayProxy proxy;
    int port;
    final AtomicInteger quits = new AtomicInteger();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        scenario = ScenarioProxy.start(dir, "admin-v1", (cp, backend, port) -> {
            cp.set(XdsState.CDS, List.of(edsCluster(CLUSTER, Cluster.LbPolicy.ROUND_ROBIN)));
            cp.set(XdsState.EDS, List.of(endpoints(CLUSTER, backend.endpoint())));
            cp.set(XdsState.RDS, List.of(Resources.routes(port, host("admin", List.of("admin.example.com"),
                    route("all", prefix("/"), toCluster(CLUSTER))))));
        });
        vertx = scenario.vertx;
        proxy = scenario.proxy;
        port = scenario.port;
        proxy.onQuit(quits::incrementAndGet);
    }

    @AfterAll
    void stop() throws Exception {
        scenario.close();
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stats_isEnvoysTextFormat() throws Exception {
        var client = ProxyHarness.client(vertx, false);
        for (int i = 0; i < 3; i++) {
            assertThat(ProxyHarness.get(client, port, "admin.example.com", "/", Map.of()).status()).isEqualTo(200);
        }
        ProxyHarness.get(client, port, "nobody.example.com", "/", Map.of());
        await("4 requests recorded", Duration.ofSeconds(5), () -> proxy.inFlight() == 0);
        String stats = admin("GET", "/stats").body();
        assertThat(stats.lines()).allMatch(l -> l.matches("[A-Za-z0-9_.|\\-]+: -?\\d+"), "name: value");
        assertThat(stats).contains("server.live: 1\n", "server.state: 0\n", "control_plane.connected_state: 1\n",
                "listener_manager.total_listeners_active: 1\n", "http.source.downstream_rq_2xx: 3\n",
                "http.source.downstream_rq_4xx: 1\n", "cluster." + SERVICE + ".upstream_rq_200: 3\n");
    }

    @Test
    void quitquitquit_wantsPostAndRunsTheQuitAction() throws Exception {
        assertThat(admin("GET", "/quitquitquit").statusCode()).isEqualTo(405);
        assertThat(quits.get()).isZero();
        HttpResponse<String> r = admin("POST", "/quitquitquit");
        assertThat(r.statusCode()).isEqualTo(200);
        await("the quit action", Duration.ofSeconds(5), () -> quits.get() == 1);
    }

    @Test
    void logging_listsAndChangesLevels() throws Exception {
        assertThat(admin("GET", "/logging").body()).startsWith("active loggers:\n").contains("  xds: ");
        HttpResponse<String> r = admin("POST", "/logging?xds=debug");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("  xds: debug\n");
        assertThat(Logger.getLogger("dev.mesh.proxy.xds").getLevel().intValue())
                .isEqualTo(org.jboss.logmanager.Level.DEBUG.intValue());
        r = admin("POST", "/logging?level=warning");
        assertThat(r.body()).contains("  xds: warning\n", "  http: warning\n");
        HttpResponse<String> bad = admin("POST", "/logging?level=loud");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("unknown level \"loud\"");
        admin("POST", "/logging?level=info");
    }
}
