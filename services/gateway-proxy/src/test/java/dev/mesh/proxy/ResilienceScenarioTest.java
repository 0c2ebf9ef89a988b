package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.Load;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config changes and control-plane outages while traffic flows: no request may fail. */
class ResilienceScenarioTest {

    static final String SERVICE = "podinfo.demo.svc.cluster.local";
    static final String V1 = clusterName("v1", SERVICE);
    static final String V2 = clusterName("v2", SERVICE);
    static final String HOST = "podinfo.example.com";

    @TempDir
    Path dir;
    Vertx vertx;
    Backend v1;
    Backend v2;
    FakeControlPlane cp;
    GatewayProxy proxy;
    HttpClient client;
    int port;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        v1 = Backend.start(vertx, "podinfo-v1");
        v2 = Backend.start(vertx, "podinfo-v2");
        port = ProxyHarness.freePort();
        cp = new FakeControlPlane().start();
        cp.set(XdsState.CDS, List.of(edsCluster(V1, Cluster.LbPolicy.ROUND_ROBIN), edsCluster(V2, Cluster.LbPolicy.ROUND_ROBIN)));
        cp.set(XdsState.EDS, List.of(endpoints(V1, v1.endpoint()), endpoints(V2, v2.endpoint())));
        cp.set(XdsState.LDS, List.of(Resources.httpListener(port)));
        weights(100, 0);
        proxy = ProxyHarness.startProxy(vertx, cp.address(), dir.resolve("saved.pb"), Duration.ofSeconds(5));
        await("first config", Duration.ofSeconds(10), proxy::ready);
        client = ProxyHarness.client(vertx, false);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        cp.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String weights(int w1, int w2) {
        return cp.set(XdsState.RDS, List.of(Resources.routes(port,
                host("gw", List.of("*"), route("split", prefix("/"), weighted(V1, w1, V2, w2))))));
    }

    void awaitRds(GatewayProxy p, String version) throws InterruptedException {
        await("RDS " + version, Duration.ofSeconds(10), () -> p.applied() != null
                && p.applied().resources().get(XdsState.RDS) != null
                && version.equals(p.applied().resources().get(XdsState.RDS).version()));
    }

    @Test
    void weightsChangedUnderLoad_dropNoRequest() throws Exception {
        Load load = Load.start(client, port, HOST, 32, 3000);
        int flips = 0;
        while (load.completed.get() < 2500) {
            weights(flips % 2 == 0 ? 0 : 100, flips % 2 == 0 ? 100 : 0);
            flips++;
            Thread.sleep(20);
        }
        load.await(30);
        assertThat(load.failed.get()).as("failures: %s", load.failures).isZero();
        assertThat(flips).isGreaterThan(3);
        assertThat(load.count("podinfo-v1")).isPositive();
        assertThat(load.count("podinfo-v2")).isPositive();

        awaitRds(proxy, weights(0, 100));
        Load after = Load.start(client, port, HOST, 8, 200);
        after.await(10);
        assertThat(after.count("podinfo-v2")).isEqualTo(200);
    }

    @Test
    void controlPlaneStoppedUnderLoad_failsNothing_thenResyncs() throws Exception {
        Load load = Load.start(client, port, HOST, 64, 4000);
        await("traffic flowing", Duration.ofSeconds(10), () -> load.completed.get() > 300);
        cp.stop();
        await("proxy notices the outage", Duration.ofSeconds(5), () -> !proxy.connectedToControlPlane());
        int duringOutageFrom = load.completed.get();
        // Changed while the control plane is down: the proxy can only learn it by resyncing.
        String next = weights(0, 100);
        await("2,000 requests during the outage", Duration.ofSeconds(30), () -> load.completed.get() - duringOutageFrom >= 2000);
        cp.start();
        load.await(30);
        assertThat(load.failed.get()).as("failures: %s", load.failures).isZero();
        assertThat(load.count("podinfo-v1")).isEqualTo(4000 - load.count("podinfo-v2"));

        awaitRds(proxy, next);
        assertThat(proxy.connectedToControlPlane()).isTrue();
        Load after = Load.start(client, port, HOST, 8, 100);
        after.await(10);
        assertThat(after.count("podinfo-v2")).isEqualTo(100);
    }

    @Test
    void restartWithControlPlaneDown_servesFromTheSavedFile() throws Exception {
        awaitRds(proxy, weights(0, 100));
        Path saved = dir.resolve("saved.pb");
        await("config saved", Duration.ofSeconds(5), () -> Files.exists(saved));
        proxy.close();
        proxy = null;
        cp.stop();

        GatewayProxy restarted = ProxyHarness.startProxy(vertx, cp.address(), saved, Duration.ofMillis(300));
        proxy = restarted;
        assertThat(restarted.ready()).isFalse();
        await("ready from the saved file", Duration.ofSeconds(10), restarted::ready);
        assertThat(restarted.applied().fromSavedFile()).isTrue();
        Load load = Load.start(client, port, HOST, 8, 200);
        load.await(10);
        assertThat(load.failed.get()).as("failures: %s", load.failures).isZero();
        assertThat(load.count("podinfo-v2")).isEqualTo(200);

        cp.start();
        String next = weights(100, 0);
        awaitRds(restarted, next);
        assertThat(restarted.applied().fromSavedFile()).isFalse();
    }
}
