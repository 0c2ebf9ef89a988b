package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.ProxyHarness.get;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.ScenarioProxy;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.vertx.core.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code x-forwarded-for} across listeners configured as the distributor configures them: a gateway listener
 * ({@code use_remote_address: true}) and a sidecar listener ({@code use_remote_address} unset, Envoy's false), on one
 * proxy with a real loopback backend. The gateway can also route through the sidecar listener, a two-hop path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardedForScenarioTest {

    static final String APP = clusterName(null, "app.demo.svc.cluster.local");
    static final String SIDECAR_HOP = clusterName(null, "sidecar.demo.svc.cluster.local");
    static final String STICKY = clusterName("sticky", "app.demo.svc.cluster.local");
    static final String XFF = "x-forwarded-for";
    static final String EXTERNAL = "x-envoy-external-address";

    @TempDir
    static Path dir;
    ScenarioProxy scenario;
    HttpClient client;
    int gatewayPort;
    int sidecarPort;
    final io.vertx.core.Vertx secondVertx = io.vertx.core.Vertx.vertx();
    Backend second;

    @BeforeAll
    void start() throws Exception {
        sidecarPort = ProxyHarness.freePort();
        second = Backend.start(secondVertx, "app-b");
        scenario = ScenarioProxy.start(dir, "app", (cp, backend, port) -> {
            cp.set(XdsState.CDS, List.of(edsCluster(APP, Cluster.LbPolicy.ROUND_ROBIN),
                    edsCluster(SIDECAR_HOP, Cluster.LbPolicy.ROUND_ROBIN),
                    edsCluster(STICKY, Cluster.LbPolicy.RING_HASH)));
            cp.set(XdsState.EDS, List.of(endpoints(APP, backend.endpoint()),
                    endpoints(SIDECAR_HOP, "sidecar@" + sidecarPort),
                    endpoints(STICKY, backend.endpoint(), second.endpoint())));
            gatewayPort = port;
            cp.set(XdsState.RDS, routeTables());
        });
        client = ProxyHarness.client(scenario.vertx, false);
        scenario.cp.set(XdsState.LDS, listeners());
        awaitServing(sidecarPort);
    }

    /**
     * The gateway's routes ({@code /hop/} through the sidecar listener, the rest to the app) and, for the sidecar
     * listener and each extra port, all to the app.
     */
    List<com.google.protobuf.Message> routeTables(int... appOnly) {
        List<com.google.protobuf.Message> tables = new java.util.ArrayList<>(List.of(
                Resources.routes(gatewayPort, host("gw", List.of("*"), route("via-sidecar", prefix("/hop/"),
                        toCluster(SIDECAR_HOP)), route("direct", prefix("/"), toCluster(APP)))),
                Resources.routes(sidecarPort, host("app", List.of("*"), route("sticky", prefix("/sticky/"),
                        toCluster(STICKY).addHashPolicy(RouteAction.HashPolicy.newBuilder().setConnectionProperties(
                                RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true)))),
                        route("all", prefix("/"), toCluster(APP))))));
        for (int port : appOnly) {
            tables.add(Resources.routes(port, host("app", List.of("*"), route("all", prefix("/"), toCluster(APP)))));
        }
        return tables;
    }

    /** The gateway listener as the distributor makes it, the sidecar one without use_remote_address, and more. */
    List<Listener> listeners(Listener... more) throws Exception {
        List<Listener> out = new java.util.ArrayList<>(List.of(Resources.httpListener(gatewayPort),
                withHcm(Resources.httpListener(sidecarPort), hcm -> hcm.clearUseRemoteAddress())));
        out.addAll(List.of(more));
        return out;
    }

    void awaitServing(int port) throws InterruptedException {
        await("the listener on " + port + " serves", Duration.ofSeconds(10), () -> {
            try {
                return get(client, port, "app", "/ready", Map.of()).status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @AfterAll
    void stop() throws Exception {
        second.close();
        secondVertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        scenario.close();
    }

    static Listener withHcm(Listener l, java.util.function.UnaryOperator<HttpConnectionManager.Builder> change)
            throws Exception {
        var filter = l.getFilterChains(0).getFilters(0);
        HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
        return l.toBuilder().setFilterChains(0, l.getFilterChains(0).toBuilder().setFilters(0, filter.toBuilder()
                .setTypedConfig(com.google.protobuf.Any.pack(change.apply(hcm.toBuilder()).build())))).build();
    }

    /** What the backend received for the one request made to {@code path}. */
    Backend.Seen seen(int port, String path, Map<String, String> headers) throws Exception {
        assertThat(get(client, port, "app.demo", path, headers).status()).isEqualTo(200);
        return scenario.backend.seen.stream().filter(s -> s.path().equals(path)).findFirst().orElseThrow();
    }

    /** Exactly one value of each header as the backend received it; null: the header was absent. */
    static void assertSent(Backend.Seen s, String xff, String externalAddress) {
        assertThat(s.headers().getAll(XFF)).as(XFF).isEqualTo(xff == null ? List.of() : List.of(xff));
        assertThat(s.headers().getAll(EXTERNAL)).as(EXTERNAL)
                .isEqualTo(externalAddress == null ? List.of() : List.of(externalAddress));
    }

    @Test
    void gateway_appendsThePeerExactlyOnce_andNamesItTheExternalAddress() throws Exception {
        assertSent(seen(gatewayPort, "/gw/plain", Map.of()), "127.0.0.1", "127.0.0.1");
    }

    @Test
    void gateway_appendsToAClaimedChain_butTheExternalAddressIsWhatItSaw() throws Exception {
        assertSent(seen(gatewayPort, "/gw/claimed", Map.of(XFF, "198.51.100.9", EXTERNAL, "198.51.100.9")),
                "198.51.100.9,127.0.0.1", "127.0.0.1");
    }

    @Test
    void sidecar_addsNothing() throws Exception {
        assertSent(seen(sidecarPort, "/sc/plain", Map.of()), null, null);
    }

    @Test
    void sidecar_passesXffAndExternalAddressUnchanged() throws Exception {
        assertSent(seen(sidecarPort, "/sc/claimed", Map.of(XFF, "203.0.113.7, 10.244.0.6", EXTERNAL, "203.0.113.7")),
                "203.0.113.7, 10.244.0.6", "203.0.113.7");
    }

    @Test
    void gatewayThenSidecar_theAppSeesTheClientOnce() throws Exception {
        assertSent(seen(gatewayPort, "/hop/twice", Map.of()), "127.0.0.1", "127.0.0.1");
    }

    @Test
    void sidecar_sourceIpHash_isOnTheTrustedClient_notTheConnection() throws Exception {
        // Every request comes from 127.0.0.1; the sidecar listener's client is the rightmost XFF entry.
        java.util.Set<String> answered = new java.util.HashSet<>();
        for (int i = 1; i <= 20; i++) {
            Map<String, String> headers = Map.of(XFF, "203.0.113.9, 192.0.2." + i);
            String first = get(client, sidecarPort, "app.demo", "/sticky/" + i, headers).body();
            assertThat(get(client, sidecarPort, "app.demo", "/sticky/" + i + "/again", headers).body())
                    .as("client 192.0.2." + i + " sticks").isEqualTo(first);
            answered.add(first);
        }
        assertThat(answered).as("20 clients over a ring of two").containsExactlyInAnyOrder("app", "app-b");
    }

    @Test
    void gatewayWithSkipXffAppend_leavesXffAlone() throws Exception {
        int port = ProxyHarness.freePort();
        scenario.cp.set(XdsState.RDS, routeTables(port));
        scenario.cp.set(XdsState.LDS, listeners(withHcm(Resources.httpListener(port), hcm -> hcm.setSkipXffAppend(true)
                .setUseRemoteAddress(BoolValue.of(true)))));
        awaitServing(port);
        assertSent(seen(port, "/skip/claimed", Map.of(XFF, "198.51.100.9")), "198.51.100.9", "127.0.0.1");
    }
}
