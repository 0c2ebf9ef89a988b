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

import dev.mesh.proxy.http.RequestRecord;
import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.ScenarioProxy;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every request ends in one {@link RequestRecord} with Envoy's response flags, seen by registered observers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestRecordScenarioTest {

    static final String OK = clusterName("ok", "records.demo.svc.cluster.local");
    static final String DEAD = clusterName("dead", "records.demo.svc.cluster.local");
    static final String EMPTY = clusterName("empty", "records.demo.svc.cluster.local");

    @TempDir
    static Path dir;
    ScenarioProxy scenario;
    Backend backend;
    GatewayProxy proxy;
    HttpClient client;
    int port;
    final Queue<RequestRecord> records = new ConcurrentLinkedQueue<>();

    @BeforeAll
    void start() throws Exception {
        scenario = ScenarioProxy.start(dir, "records-v1", (cp, backend, port) -> {
            cp.set(XdsState.CDS, List.of(edsCluster(OK, Cluster.LbPolicy.ROUND_ROBIN),
                    edsCluster(DEAD, Cluster.LbPolicy.ROUND_ROBIN), edsCluster(EMPTY, Cluster.LbPolicy.ROUND_ROBIN)));
            cp.set(XdsState.EDS, List.of(endpoints(OK, backend.endpoint()), endpoints(DEAD, "gone@" + ProxyHarness.freePort()),
                    ClusterLoadAssignment.newBuilder().setClusterName(EMPTY).build()));
            cp.set(XdsState.RDS, List.of(Resources.routes(port, host("records", List.of("records.example.com"),
                    route("dead", prefix("/dead"), toCluster(DEAD)), route("empty", prefix("/empty"), toCluster(EMPTY)),
                    route("ok", prefix("/"), toCluster(OK))))));
        });
        backend = scenario.backend;
        proxy = scenario.proxy;
        port = scenario.port;
        proxy.observe(records::add);
        client = ProxyHarness.client(scenario.vertx, false);
    }

    @AfterAll
    void stop() throws Exception {
        scenario.close();
    }

    private RequestRecord recordOf(String authority, String path) throws Exception {
        ProxyHarness.send(client, port, authority, HttpMethod.POST, path, Map.of("user-agent", "records-test"), "hello")
                .get(10, TimeUnit.SECONDS);
        await("the record of " + path, Duration.ofSeconds(5), () -> records.stream().anyMatch(r -> r.path().equals(path)));
        return records.stream().filter(r -> r.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void forwarded_recordsUpstreamAndSizes() throws Exception {
        RequestRecord r = recordOf("records.example.com", "/fine");
        assertThat(r.responseCode()).isEqualTo(200);
        assertThat(r.responseFlags()).isEqualTo("-");
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.bytesReceived()).isEqualTo(5);
        assertThat(r.bytesSent()).isEqualTo("records-v1:hello".length());
        assertThat(r.upstreamCluster()).isEqualTo(OK);
        assertThat(r.upstreamHost()).isEqualTo("127.0.0.1:" + backend.port());
        assertThat(r.upstreamServiceTimeMillis()).isGreaterThanOrEqualTo(0);
        assertThat(r.userAgent()).isEqualTo("records-test");
        assertThat(r.requestId()).matches("[0-9a-f-]{36}");
        assertThat(r.authority()).isEqualTo("records.example.com");
        assertThat(r.routeName()).isEqualTo("ok");
        assertThat(r.reporter()).isEqualTo("source");
    }

    @Test
    void noRoute_isNR() throws Exception {
        RequestRecord r = recordOf("unknown.example.com", "/nr");
        assertThat(r.responseCode()).isEqualTo(404);
        assertThat(r.responseFlags()).isEqualTo("NR");
        assertThat(r.upstreamServiceTimeMillis()).isEqualTo(-1);
    }

    @Test
    void connectFailure_isUF_andNoEndpoints_isUH() throws Exception {
        RequestRecord uf = recordOf("records.example.com", "/dead/x");
        assertThat(uf.responseCode()).isEqualTo(503);
        assertThat(uf.responseFlags()).isEqualTo("UF");
        assertThat(uf.bytesSent()).isGreaterThan(0);
        RequestRecord uh = recordOf("records.example.com", "/empty/x");
        assertThat(uh.responseFlags()).isEqualTo("UH");
    }
}
