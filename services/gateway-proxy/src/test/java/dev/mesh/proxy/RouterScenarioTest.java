package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.ProxyHarness.get;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.millis;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static dev.mesh.proxy.testing.Resources.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.ProxyHarness.Response;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The router against real loopback backends, configured by a real ADS server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouterScenarioTest {

    static final String SERVICE = "podinfo.demo.svc.cluster.local";
    static final String V1 = clusterName("v1", SERVICE);
    static final String V2 = clusterName("v2", SERVICE);
    static final String ALL = clusterName(null, SERVICE);
    static final String H2 = clusterName("h2", SERVICE);
    static final String DEAD = clusterName("dead", SERVICE);
    static final String RING = clusterName("ring", SERVICE);
    static final String MIXED = clusterName("mixed", SERVICE);
    static final String HOST = "podinfo.example.com";

    @TempDir
    static Path dir;
    Vertx vertx;
    Backend v1;
    Backend v2;
    FakeControlPlane cp;
    GatewayProxy proxy;
    HttpClient client;
    int port;

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        v1 = Backend.start(vertx, "podinfo-v1");
        v2 = Backend.start(vertx, "podinfo-v2");
        port = ProxyHarness.freePort();
        int closedPort = ProxyHarness.freePort();
        cp = new FakeControlPlane().start();
        cp.set(XdsState.CDS, List.of(edsCluster(V1, Cluster.LbPolicy.ROUND_ROBIN), edsCluster(V2, Cluster.LbPolicy.LEAST_REQUEST),
                edsCluster(ALL, Cluster.LbPolicy.ROUND_ROBIN), edsCluster(DEAD, Cluster.LbPolicy.ROUND_ROBIN),
                edsCluster(RING, Cluster.LbPolicy.RING_HASH),
                edsCluster(MIXED, Cluster.LbPolicy.ROUND_ROBIN), edsCluster(H2, Cluster.LbPolicy.RANDOM).toBuilder()
                        .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                                Any.pack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                                        .setExplicitHttpConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                                                .ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(
                                                        io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.getDefaultInstance()))
                                        .build())).build()));
        cp.set(XdsState.EDS, List.of(endpoints(V1, v1.endpoint()), endpoints(V2, v2.endpoint()),
                endpoints(ALL, v1.endpoint(), v2.endpoint()), endpoints(H2, v2.endpoint()),
                endpoints(DEAD, "gone@" + closedPort), endpoints(RING, v1.endpoint(), v2.endpoint()), endpoints(MIXED, "gone@" + closedPort, v1.endpoint())));
        cp.set(XdsState.LDS, List.of(Resources.httpListener(port)));
        cp.set(XdsState.RDS, List.of(Resources.routes(port, host("gw", List.of("*"), route("all", prefix("/"), toCluster(V1))))));
        proxy = ProxyHarness.startProxy(vertx, cp.address(), dir.resolve("saved.pb"), Duration.ofSeconds(5));
        await("first config", Duration.ofSeconds(10), proxy::ready);
        client = ProxyHarness.client(vertx, false);
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        cp.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void routes(VirtualHost... hosts) throws InterruptedException {
        String version = cp.set(XdsState.RDS, List.of(Resources.routes(port, hosts)));
        await("RDS " + version + " applied", Duration.ofSeconds(10), () -> version.equals(applied(XdsState.RDS)));
    }

    String applied(String type) {
        var a = proxy.applied();
        return a == null || a.resources().get(type) == null ? null : a.resources().get(type).version();
    }

    Response call(String path) throws Exception {
        return get(client, port, HOST, path, Map.of());
    }

    @Test
    void weightedRoute_splitsWithinBinomialBounds() throws Exception {
        routes(host("gw", List.of("*"), route("split", prefix("/"), weighted(V1, 90, V2, 10))));
        List<CompletableFuture<Response>> calls = new ArrayList<>();
        int n = 1000;
        int v1Count = 0;
        for (int batch = 0; batch < n / 100; batch++) {
            calls.clear();
            for (int i = 0; i < 100; i++) {
                calls.add(ProxyHarness.send(client, port, HOST, "/", Map.of()));
            }
            for (CompletableFuture<Response> c : calls) {
                Response r = c.get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                if (r.headers().get("x-backend").equals("podinfo-v1")) {
                    v1Count++;
                }
            }
        }
        // Binomial(1000, 0.9): mean 900, sd 9.49; two-sided p >= 0.001 keeps |z| <= 3.29, i.e. [869, 931].
        assertThat(v1Count).isBetween(869, 931);
    }

    @Test
    void headerMatch_sendsCanaryToV2() throws Exception {
        routes(host("gw", List.of(HOST), route("canary", prefix("/").addHeaders(HeaderMatcher.newBuilder()
                        .setName("x-canary").setStringMatch(StringMatcher.newBuilder().setExact("true"))), toCluster(V2)),
                route("stable", prefix("/"), toCluster(V1))));
        assertThat(get(client, port, HOST, "/", Map.of("x-canary", "true")).headers().get("x-backend")).isEqualTo("podinfo-v2");
        assertThat(get(client, port, HOST, "/", Map.of("x-canary", "false")).headers().get("x-backend")).isEqualTo("podinfo-v1");
        assertThat(get(client, port, HOST, "/", Map.of()).headers().get("x-backend")).isEqualTo("podinfo-v1");
        assertThat(get(client, port, HOST + ":" + port, "/", Map.of("x-canary", "true")).headers().get("x-backend"))
                .as("the authority's port is ignored when only the bare host is a domain").isEqualTo("podinfo-v2");
    }

    @Test
    void unknownHost_getsNotFoundWithNoRouteFlag() throws Exception {
        routes(host("gw", List.of(HOST, "*.shop.example"), route("all", prefix("/"), toCluster(V1))));
        Response r = get(client, port, "nothing.example.org", "/", Map.of());
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).isEmpty();
        assertThat(get(client, port, "cart.shop.example", "/", Map.of()).status()).isEqualTo(200);
        awaitStats("response_code=\"404\",grpc_response_status=\"\",response_flags=\"NR\"");
    }

    @Test
    void retries_recoverFromFailingAttempts_andGiveUpAfterNumRetries() throws Exception {
        routes(host("gw", List.of("*"), route("retry", prefix("/"), toCluster(V1).setRetryPolicy(RetryPolicy.newBuilder()
                .setRetryOn("5xx").setNumRetries(UInt32Value.of(2))))));
        int before = v1.hits.get();
        v1.failNext.set(2);
        Response ok = call("/flaky");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(v1.hits.get() - before).isEqualTo(3);

        before = v1.hits.get();
        v1.failNext.set(5);
        Response failed = call("/flaky");
        assertThat(failed.status()).isEqualTo(503);
        assertThat(v1.hits.get() - before).isEqualTo(3);
        v1.failNext.set(0);
        awaitStats("response_code=\"503\",grpc_response_status=\"\",response_flags=\"URX\"");
    }

    @Test
    void retries_postBodyIsReplayedOnEachAttempt() throws Exception {
        routes(host("gw", List.of("*"), route("retry", prefix("/"), toCluster(V1).setRetryPolicy(RetryPolicy.newBuilder()
                .setRetryOn("retriable-status-codes").addRetriableStatusCodes(503).setNumRetries(UInt32Value.of(1))))));
        v1.failNext.set(1);
        Response r = ProxyHarness.send(client, port, HOST, io.vertx.core.http.HttpMethod.POST, "/", Map.of(), "payload")
                .get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("podinfo-v1:payload");
    }

    @Test
    void timeout_answers504WithinTheRouteTimeout() throws Exception {
        routes(host("gw", List.of("*"), route("slow", prefix("/"), toCluster(V1).setTimeout(millis(200)))));
        long start = System.nanoTime();
        Response r = call("/delay/3000");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.body()).isEqualTo("upstream request timeout");
        assertThat(ms).isBetween(190L, 2000L);
    }

    @Test
    void perTryTimeout_retriesThenAnswers504() throws Exception {
        routes(host("gw", List.of("*"), route("slow", prefix("/"), toCluster(V1).setRetryPolicy(RetryPolicy.newBuilder()
                .setRetryOn("gateway-error").setNumRetries(UInt32Value.of(2)).setPerTryTimeout(millis(100))))));
        int before = v1.hits.get();
        Response r = call("/delay/2000");
        assertThat(r.status()).isEqualTo(504);
        await("three attempts", Duration.ofSeconds(2), () -> v1.hits.get() - before == 3);
    }

    @Test
    void faultAbort_answersWithoutCallingTheBackend() throws Exception {
        HTTPFault fault = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(418)
                .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
        routes(host("gw", List.of("*"), Route.newBuilder(route("abort", prefix("/"), toCluster(V1)))
                .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(fault)).build()));
        int before = v1.hits.get();
        Response r = call("/");
        assertThat(r.status()).isEqualTo(418);
        assertThat(r.body()).as(r.headers().toString()).isEqualTo("fault filter abort");
        assertThat(v1.hits.get()).isEqualTo(before);
    }

    @Test
    void faultDelay_holdsTheRequestThenForwards() throws Exception {
        HTTPFault fault = HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder().setFixedDelay(millis(300))
                .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
        routes(host("gw", List.of("*"), Route.newBuilder(route("delay", prefix("/"), toCluster(V1)))
                .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(fault)).build()));
        long start = System.nanoTime();
        Response r = call("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290);
    }

    @Test
    void redirect_answersWithLocation() throws Exception {
        routes(host("gw", List.of("*"), Route.newBuilder().setName("moved").setMatch(RouteMatch.newBuilder().setPath("/moved"))
                .setRedirect(RedirectAction.newBuilder().setHostRedirect("new.example.com").setPathRedirect("/here")
                        .setResponseCode(RedirectAction.RedirectResponseCode.FOUND)).build()));
        Response r = call("/moved?x=1");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.headers().get("location")).isEqualTo("http://new.example.com/here?x=1");
        assertThat(call("/moved/not").status()).isEqualTo(404);
    }

    @Test
    void rewrites_changePathAndHostSeenByTheBackend() throws Exception {
        routes(host("gw", List.of("*"),
                route("prefix", prefix("/old/"), toCluster(V1).setPrefixRewrite("/new/").setHostRewriteLiteral("reviews.internal")),
                route("regex", RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("^/v1/(.*)")),
                        toCluster(V1).setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
                                .setPattern(RegexMatcher.newBuilder().setRegex("^/v1/(.*)")).setSubstitution("/\\1")))));
        v1.seen.clear();
        assertThat(call("/old/item?q=1").status()).isEqualTo(200);
        Backend.Seen s = v1.seen.poll();
        assertThat(s.path()).isEqualTo("/new/item?q=1");
        assertThat(s.host()).isEqualTo("reviews.internal");
        assertThat(call("/v1/abc/def").status()).isEqualTo(200);
        assertThat(v1.seen.poll().path()).isEqualTo("/abc/def");
    }

    @Test
    void directResponse_answersTheConfiguredBody() throws Exception {
        routes(host("gw", List.of("*"), Route.newBuilder().setName("direct").setMatch(RouteMatch.newBuilder().setPath("/teapot"))
                .setDirectResponse(DirectResponseAction.newBuilder().setStatus(418)
                        .setBody(DataSource.newBuilder().setInlineString("short and stout"))).build()));
        Response r = call("/teapot");
        assertThat(r.status()).isEqualTo(418);
        assertThat(r.body()).isEqualTo("short and stout");
    }

    @Test
    void proxyHeaders_areSetAndHopByHopHeadersDropped() throws Exception {
        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(V1))));
        v1.seen.clear();
        Response r = get(client, port, HOST, "/", Map.of("x-forwarded-for", "203.0.113.7", "connection", "keep-alive, x-hop",
                "x-hop", "secret"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("x-envoy-upstream-service-time")).matches("\\d+");
        Backend.Seen s = v1.seen.poll();
        assertThat(s.xff()).isEqualTo("203.0.113.7,127.0.0.1");
        assertThat(s.requestId()).matches("[0-9a-f-]{36}");
        assertThat(s.hopByHop()).isNull();
        assertThat(s.host()).isEqualTo(HOST);
    }

    @Test
    void h2c_requestsAreRouted() throws Exception {
        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(V2))));
        HttpClient h2 = ProxyHarness.client(vertx, true);
        Response r = get(h2, port, HOST, "/", Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("x-backend")).isEqualTo("podinfo-v2");
        h2.close();
    }

    @Test
    void http2Cluster_isCalledWithH2c_andTrailersReachTheClient() throws Exception {
        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(H2))));
        v2.seen.clear();
        HttpClient h2 = ProxyHarness.client(vertx, true);
        var trailers = ProxyHarness.onContext(h2, () -> h2.request(new io.vertx.core.http.RequestOptions()
                .setHost("127.0.0.1").setPort(port).setURI("/"))
                .compose(req -> req.send()).compose(resp -> resp.end().map(v -> resp.trailers().get("x-trailer"))))
                .get(10, TimeUnit.SECONDS);
        assertThat(trailers).isEqualTo("from-podinfo-v2");
        assertThat(v2.seen.poll().version()).isEqualTo("HTTP_2");
        h2.close();
    }

    @Test
    void prometheus_countsExactlyTheRequestsSent() throws Exception {
        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(V2))));
        String series = "destination_workload=\"podinfo-v2\"";
        long before = count(series);
        for (int i = 0; i < 37; i++) {
            assertThat(call("/").status()).isEqualTo(200);
        }
        await("37 more requests counted", Duration.ofSeconds(2), () -> count(series) == before + 37);
        Thread.sleep(100);
        assertThat(count(series)).isEqualTo(before + 37);
        String text = get(client, proxy.prometheusPort(), "localhost", "/stats/prometheus", Map.of()).body();
        assertThat(text).contains("istio_requests_total{reporter=\"source\",source_workload=\"istio-ingressgateway\","
                + "source_workload_namespace=\"istio-system\"");
        assertThat(text).contains("destination_service=\"podinfo.demo.svc.cluster.local\"", "destination_version=\"v2\"",
                "request_protocol=\"http\"", "istio_request_duration_milliseconds_bucket{");
    }

    /**
     * Stats are recorded when the proxy finishes a response, which can be a moment after the client has read
     * all of it (content-length reached): wait briefly for the series.
     */
    private void awaitStats(String fragment) throws InterruptedException {
        await("stats with " + fragment, Duration.ofSeconds(2), () -> proxy.stats().renderPrometheus().contains(fragment));
    }

    private long count(String labelFragment) {
        try {
            String text = get(client, proxy.prometheusPort(), "localhost", "/stats/prometheus", Map.of()).body();
            return text.lines().filter(l -> l.startsWith("istio_requests_total{") && l.contains(labelFragment))
                    .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void health_adminReadyAndConfigDump() throws Exception {
        assertThat(get(client, proxy.healthPort(), "localhost", "/healthz/ready", Map.of()).status()).isEqualTo(200);
        assertThat(get(client, proxy.adminPort(), "localhost", "/ready", Map.of()).body()).isEqualTo("LIVE\n");
        JsonObject dump = new JsonObject(get(client, proxy.adminPort(), "localhost", "/config_dump", Map.of()).body());
        assertThat(dump.getJsonArray("configs").getJsonObject(0).getString("@type"))
                .isEqualTo("type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
        assertThat(dump.getJsonArray("configs").getJsonObject(1).getJsonArray("dynamicListeners").getJsonObject(0)
                .getString("name")).isEqualTo("0.0.0.0_" + port);
        assertThat(dump.getJsonArray("configs").getJsonObject(2).getJsonArray("dynamicRouteConfigs").getJsonObject(0)
                .getJsonObject("routeConfig").getString("name")).isEqualTo("http." + port);
    }

    @Test
    void nack_keepsLastGoodConfig_andNamesTheResourceAndField() throws Exception {
        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(V1))));
        String good = proxy.applied().resources().get(XdsState.RDS).version();
        cp.set(XdsState.RDS, List.of(Resources.routes(port, host("gw", List.of("*"), route("bad",
                RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("/items/([0-9]+")), toCluster(V2))))));
        await("a NACK", Duration.ofSeconds(5), () -> cp.requests().stream().anyMatch(DiscoveryRequest::hasErrorDetail));
        DiscoveryRequest nack = cp.requests().stream().filter(DiscoveryRequest::hasErrorDetail).findFirst().orElseThrow();
        assertThat(nack.getTypeUrl()).isEqualTo(XdsState.RDS);
        assertThat(nack.getVersionInfo()).isEqualTo(good);
        assertThat(nack.getErrorDetail().getMessage()).contains("RouteConfiguration http." + port,
                "virtual_hosts[0].routes[0].match.safe_regex.regex", "invalid regex");
        assertThat(proxy.applied().resources().get(XdsState.RDS).version()).isEqualTo(good);
        Response r = call("/items/1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("x-backend")).isEqualTo("podinfo-v1");

        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(V2))));
        assertThat(call("/items/1").headers().get("x-backend")).as("a later good config is taken").isEqualTo("podinfo-v2");
    }

    @Test
    void largeBody_streamsThroughWithoutBuffering() throws Exception {
        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(V1).setRetryPolicy(RetryPolicy.newBuilder()
                .setRetryOn("5xx").setNumRetries(UInt32Value.of(2))))));
        String big = "x".repeat(1 << 20);
        Response r = ProxyHarness.send(client, port, HOST, io.vertx.core.http.HttpMethod.PUT, "/upload", Map.of(), big)
                .get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).hasSize("podinfo-v1:".length() + big.length());
    }

    @Test
    void roundRobin_alternatesOverEdsEndpoints() throws Exception {
        routes(host("gw", List.of("*"), route("all", prefix("/"), toCluster(ALL))));
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < 10; i++) {
            counts.merge(call("/").headers().get("x-backend"), 1, Integer::sum);
        }
        assertThat(counts).containsEntry("podinfo-v1", 5).containsEntry("podinfo-v2", 5);
    }

    @Test
    void mirror_sendsACopyToTheShadowCluster() throws Exception {
        routes(host("gw", List.of("*"), route("shadow", prefix("/"), toCluster(V1).addRequestMirrorPolicies(
                io.envoyproxy.envoy.config.route.v3.RouteAction.RequestMirrorPolicy.newBuilder().setCluster(V2)))));
        v2.seen.clear();
        Response r = ProxyHarness.send(client, port, HOST, io.vertx.core.http.HttpMethod.POST, "/copy", Map.of(), "hello")
                .get(10, TimeUnit.SECONDS);
        assertThat(r.headers().get("x-backend")).isEqualTo("podinfo-v1");
        assertThat(r.body()).isEqualTo("podinfo-v1:hello");
        await("the mirrored copy", Duration.ofSeconds(5), () -> !v2.seen.isEmpty());
        Backend.Seen copy = v2.seen.poll();
        assertThat(copy.path()).isEqualTo("/copy");
        assertThat(copy.host()).isEqualTo(HOST + "-shadow");
    }

    @Test
    void connectFailure_answers503UF_orIsRetriedOnAnotherEndpoint() throws Exception {
        routes(host("gw", List.of("dead.example"), route("dead", prefix("/"), toCluster(DEAD))),
                host("gw2", List.of("*"), route("mixed", prefix("/"), toCluster(MIXED).setRetryPolicy(RetryPolicy.newBuilder()
                        .setRetryOn("connect-failure").setNumRetries(UInt32Value.of(2))))));
        Response dead = get(client, port, "dead.example", "/", Map.of());
        assertThat(dead.status()).isEqualTo(503);
        assertThat(dead.body()).endsWith("reset reason: connection failure");
        for (int i = 0; i < 10; i++) {
            assertThat(call("/").status()).as("request %d", i).isEqualTo(200);
        }
        awaitStats("response_code=\"503\",grpc_response_status=\"\",response_flags=\"UF\"");
    }

    @Test
    void ringHash_keepsAUserOnOneEndpoint() throws Exception {
        routes(host("gw", List.of("*"), route("sticky", prefix("/"), toCluster(RING).addHashPolicy(
                io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.newBuilder().setHeader(
                        io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.Header.newBuilder().setHeaderName("x-user"))))));
        java.util.Set<String> seenBackends = new java.util.HashSet<>();
        for (int user = 0; user < 20; user++) {
            String first = get(client, port, HOST, "/", Map.of("x-user", "u" + user)).headers().get("x-backend");
            for (int i = 0; i < 5; i++) {
                assertThat(get(client, port, HOST, "/", Map.of("x-user", "u" + user)).headers().get("x-backend"))
                        .as("user u%d", user).isEqualTo(first);
            }
            seenBackends.add(first);
        }
        assertThat(seenBackends).as("20 users spread over both endpoints").hasSize(2);
    }

    @Test
    void headerOperations_applyToRequestAndResponse() throws Exception {
        routes(host("gw", List.of("*"), Route.newBuilder(route("ops", prefix("/"), toCluster(V1)))
                .addRequestHeadersToAdd(io.envoyproxy.envoy.config.core.v3.HeaderValueOption.newBuilder()
                        .setHeader(io.envoyproxy.envoy.config.core.v3.HeaderValue.newBuilder().setKey("x-mesh").setValue("yes"))
                        .setAppendAction(io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
                .addRequestHeadersToRemove("x-secret")
                .addResponseHeadersToAdd(io.envoyproxy.envoy.config.core.v3.HeaderValueOption.newBuilder()
                        .setHeader(io.envoyproxy.envoy.config.core.v3.HeaderValue.newBuilder().setKey("x-served-by").setValue("gateway")))
                .addResponseHeadersToRemove("x-backend").build()));
        v1.seen.clear();
        Response r = get(client, port, HOST, "/", Map.of("x-mesh", "no", "x-secret", "s3cr3t"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("x-served-by")).isEqualTo("gateway");
        assertThat(r.headers().get("x-backend")).isNull();
        Backend.Seen s = v1.seen.poll();
        assertThat(s.headers().getAll("x-mesh")).containsExactly("yes");
        assertThat(s.headers().get("x-secret")).isNull();
    }
}
