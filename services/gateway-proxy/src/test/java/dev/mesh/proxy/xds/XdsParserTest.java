package dev.mesh.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.mesh.proxy.model.Action;
import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
import dev.mesh.proxy.model.ForwardedFor;
import dev.mesh.proxy.model.ListenerView;
import dev.mesh.proxy.model.Route;
import dev.mesh.proxy.model.RouteTable;
import dev.mesh.proxy.model.VirtualHost;
import dev.mesh.proxy.testing.Golden;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class XdsParserTest {

    @ParameterizedTest
    @ValueSource(strings = {"walkthrough-ingressgateway.json", "walkthrough-sidecar.json", "route-actions-client.json",
        "route-matches-client.json", "destination-rule-policies-client.json"})
    void everyDistributorGolden_isAcceptedWhole(String file) throws Exception {
        XdsState state = new XdsState();
        for (var t : List.of("CDS", "EDS", "LDS", "RDS")) {
            String url = switch (t) {
                case "CDS" -> XdsState.CDS;
                case "EDS" -> XdsState.EDS;
                case "LDS" -> XdsState.LDS;
                default -> XdsState.RDS;
            };
            assertThat(state.accept(url, "1", Golden.load(file, t))).as(file + " " + t).isEmpty();
        }
    }

    @Test
    void walkthroughGateway_becomesOneCompleteListenerView() throws Exception {
        String file = "walkthrough-ingressgateway.json";
        XdsState state = new XdsState();
        state.accept(XdsState.CDS, "c1", Golden.load(file, "CDS"));
        state.accept(XdsState.LDS, "l1", Golden.load(file, "LDS"));
        assertThat(state.rdsNames()).containsExactly("http.80");
        assertThat(state.edsNames()).contains("outbound|80|v1|podinfo.demo.svc.cluster.local");
        assertThat(state.assemble()).as("no view before routes and endpoints arrive").isEmpty();
        assertThat(state.warm()).isFalse();

        state.accept(XdsState.RDS, "r1", Golden.load(file, "RDS"));
        assertThat(state.assemble()).as("routes without endpoints are not enough").isEmpty();
        state.accept(XdsState.EDS, "e1", Golden.load(file, "EDS"));
        Map<String, ListenerView> views = state.assemble();
        assertThat(state.warm()).isTrue();

        ListenerView view = views.get("0.0.0.0_80");
        assertThat(view.listener().port()).isEqualTo(80);
        Route route = view.routes().select("podinfo.example.com").routes().get(0);
        Action.Forward f = (Action.Forward) route.action();
        assertThat(f.clusters()).extracting(Action.WeightedCluster::name, Action.WeightedCluster::weight).containsExactly(
                org.assertj.core.groups.Tuple.tuple("outbound|80|v1|podinfo.demo.svc.cluster.local", 90),
                org.assertj.core.groups.Tuple.tuple("outbound|80|v2|podinfo.demo.svc.cluster.local", 10));
        assertThat(f.timeout()).isEqualTo(Duration.ZERO);
        assertThat(f.retry().numRetries()).isEqualTo(2);
        assertThat(f.retry().retriesStatus(503)).isTrue();
        assertThat(f.retry().retriesStatus(500)).isFalse();
        ClusterSpec v1 = view.clusters().get("outbound|80|v1|podinfo.demo.svc.cluster.local");
        assertThat(v1.lbPolicy()).isEqualTo(ClusterSpec.LbPolicy.LEAST_REQUEST);
        assertThat(v1.subset()).isEqualTo("v1");
        assertThat(v1.serviceHost()).isEqualTo("podinfo.demo.svc.cluster.local");
        assertThat(view.endpoints().get(v1.name())).containsExactly(
                new Endpoint("10.244.1.5", 9898, 1, "podinfo-v1-d57b7c9fd-7swjb", "demo", "podinfo", "v1"));
    }

    @Test
    void sidecarListeners_becomeHttpTcpAndPerPortInboundListeners() throws Exception {
        var parsed = XdsParser.listeners(Golden.load("walkthrough-sidecar.json", "LDS"));
        assertThat(parsed.errors()).isEmpty();
        var http = parsed.resources().get("0.0.0.0_80");
        assertThat(http.bindToPort()).isFalse();
        assertThat(http.http()).isTrue();
        assertThat(http.routeConfigName()).isEqualTo("80");
        var tcp = parsed.resources().get("10.98.50.247_443");
        assertThat(tcp.http()).isFalse();
        assertThat(tcp.tcpClusters()).extracting(Action.WeightedCluster::name)
                .containsExactly("outbound|443||istio-ingressgateway.istio-system.svc.cluster.local");
        var outbound = parsed.resources().get("virtualOutbound");
        assertThat(outbound.port()).isEqualTo(15001);
        assertThat(outbound.tcpClusters()).extracting(Action.WeightedCluster::name).containsExactly("PassthroughCluster");
        // STRICT (the walkthrough's PeerAuthentication): the app port's mutual-TLS chain and its plain-text blackhole.
        // virtualInbound's own socket has two chains (mutual TLS to any other port, and the default), so each is
        // named after the listener and the chain.
        assertThat(parsed.resources().keySet()).contains("inbound|9898||tls", "inbound|9898||blackhole",
                "virtualInbound|virtualInbound-mtls", "virtualInbound|default");
        var inboundApp = parsed.resources().get("inbound|9898||tls");
        assertThat(inboundApp.inbound()).isTrue();
        assertThat(inboundApp.port()).isEqualTo(9898);
        assertThat(inboundApp.bindToPort()).isFalse();
        assertThat(inboundApp.inlineRoutes().select("anything").routes().get(0).action())
                .isInstanceOfSatisfying(Action.Forward.class, f ->
                        assertThat(f.clusters().get(0).name()).isEqualTo("inbound|9898||"));
        assertThat(parsed.resources().get("inbound|9898||blackhole").tcpClusters())
                .extracting(Action.WeightedCluster::name).containsExactly("BlackHoleCluster");
        var inboundDefault = parsed.resources().get("virtualInbound|default");
        assertThat(inboundDefault.port()).isEqualTo(15006);
        assertThat(inboundDefault.tcpClusters()).extracting(Action.WeightedCluster::name)
                .containsExactly("BlackHoleCluster");
    }

    @Test
    void gatewayMutualTls_isRefusedNamingTheField() {
        var tls = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.newBuilder()
                .setRequireClientCertificate(com.google.protobuf.BoolValue.of(true))
                .setCommonTlsContext(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.newBuilder()
                        .addTlsCertificateSdsSecretConfigs(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3
                                .SdsSecretConfig.newBuilder().setName("kubernetes://cred")))
                .build();
        var base = dev.mesh.proxy.testing.Resources.httpListener(443);
        var listener = base.toBuilder().setFilterChains(0, base.getFilterChains(0).toBuilder().setTransportSocket(
                io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                        .setTypedConfig(com.google.protobuf.Any.pack(tls)))).build();
        var parsed = XdsParser.listeners(List.of(com.google.protobuf.Any.pack(listener)));
        assertThat(parsed.errors()).singleElement().asString().startsWith("Listener 0.0.0.0_443: filter_chains[0]"
                + ".transport_socket.typed_config.require_client_certificate: client certificates");
    }

    @Test
    void distributorsXffSettings_gatewaysUseTheRemoteAddress_sidecarsKeepEnvoysDefault() throws Exception {
        var gateway = XdsParser.listeners(Golden.load("walkthrough-ingressgateway.json", "LDS"));
        assertThat(gateway.resources().values()).filteredOn(dev.mesh.proxy.model.Listener::http).isNotEmpty()
                .allSatisfy(l -> assertThat(l.forwardedFor()).as(l.name()).isEqualTo(new ForwardedFor(true, 0, false)));
        var sidecar = XdsParser.listeners(Golden.load("walkthrough-sidecar.json", "LDS"));
        assertThat(sidecar.resources().values()).filteredOn(dev.mesh.proxy.model.Listener::http).isNotEmpty()
                .allSatisfy(l -> assertThat(l.forwardedFor()).as(l.name()).isEqualTo(ForwardedFor.ENVOY_DEFAULT));
    }

    @Test
    void xffSettings_areCarriedFromTheConnectionManager() throws Exception {
        var base = dev.mesh.proxy.testing.Resources.httpListener(8080);
        var filter = base.getFilterChains(0).getFilters(0);
        var hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class).toBuilder().setXffNumTrustedHops(2)
                .setSkipXffAppend(true).build();
        var listener = base.toBuilder().setFilterChains(0, base.getFilterChains(0).toBuilder()
                .setFilters(0, filter.toBuilder().setTypedConfig(Any.pack(hcm)))).build();
        var parsed = XdsParser.listeners(List.of(Any.pack(listener)));
        assertThat(parsed.resources().get("0.0.0.0_8080").forwardedFor()).isEqualTo(new ForwardedFor(true, 2, true));
    }

    @Test
    void tcpProxyWithoutCluster_isRefusedNamingTheField() {
        var listener = io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder().setName("bad_9000")
                .setAddress(io.envoyproxy.envoy.config.core.v3.Address.newBuilder().setSocketAddress(
                        io.envoyproxy.envoy.config.core.v3.SocketAddress.newBuilder().setAddress("10.0.0.1").setPortValue(9000)))
                .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.newBuilder().addFilters(
                        io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
                                .setTypedConfig(com.google.protobuf.Any.pack(io.envoyproxy.envoy.extensions.filters.network
                                        .tcp_proxy.v3.TcpProxy.newBuilder().setStatPrefix("x").build()))))
                .build();
        var parsed = XdsParser.listeners(List.of(com.google.protobuf.Any.pack(listener)));
        assertThat(parsed.errors()).containsExactly(
                "Listener bad_9000: filter_chains[0].filters[0].typed_config: TcpProxy names no cluster (cluster or weighted_clusters)");
    }

    @Test
    void routeActionsGolden_keepsFaultsMirrorsAndRewrites() throws Exception {
        var parsed = XdsParser.routeTables(Golden.load("route-actions-client.json", "RDS"));
        assertThat(parsed.errors()).isEmpty();
        RouteTable table = parsed.resources().get("9080");
        VirtualHost reviews = table.select("reviews.shop.svc.cluster.local:9080");
        Map<String, Route> byName = new java.util.HashMap<>();
        reviews.routes().forEach(r -> byName.putIfAbsent(r.name(), r));
        var faults = byName.get("faults").fault();
        assertThat(faults.delay()).isEqualTo(Duration.ofSeconds(7));
        assertThat(faults.delayPerMillion()).isEqualTo(500_000);
        assertThat(faults.abortStatus()).isEqualTo(503);
        assertThat(faults.abortPerMillion()).isEqualTo(5_000);
        Action.Forward mirror = (Action.Forward) byName.get("mirror").action();
        assertThat(mirror.mirrors()).containsExactly(new Action.Mirror("outbound|9080|v3|reviews.shop.svc.cluster.local", 250_000));
        Action.Forward regex = (Action.Forward) byName.get("regex-rewrite").action();
        assertThat(regex.regexRewrite().matcher("/v1/a/b").replaceAll(regex.regexSubstitution())).isEqualTo("/a/b");
        Action.Forward slow = (Action.Forward) byName.get("timeout-and-retries").action();
        assertThat(slow.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(slow.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(slow.retry().retryOn()).containsExactlyInAnyOrder("5xx", "gateway-error", "retriable-status-codes");
        assertThat(byName.get("redirect").action()).isEqualTo(
                new Action.Redirect(302, null, "reviews.shop.svc.cluster.local", null, "/here", null, false));
    }

    @Test
    void routeMatchesGolden_matchesLikeEnvoy() throws Exception {
        RouteTable table = XdsParser.routeTables(Golden.load("route-matches-client.json", "RDS")).resources().get("9080");
        List<Route> routes = table.select("reviews.shop.svc.cluster.local").routes();
        Map<String, String> h = Map.of(":method", "GET", "end-user", "jason", "x-trace", "abc-1", "x-version", "v12",
                ":authority", "reviews.shop");
        assertThat(first(routes, "/reviews/1", h, Map.of())).isEqualTo("exact-and-headers");
        assertThat(first(routes, "/reviews/1", Map.of(":method", "GET", "end-user", "bob"), Map.of())).isEqualTo("catch-all");
        assertThat(first(routes, "/API/x?debug=1", Map.of(":authority", "reviews.shop"), Map.of("debug", "1")))
                .as("case-insensitive prefix with authority and query").isEqualTo("prefix-authority-query");
        assertThat(first(routes, "/items/42", Map.of(), Map.of())).as("inverted header match, header absent")
                .isEqualTo("prefix-authority-query");
        assertThat(first(routes, "/items/42", Map.of("x-internal", "yes"), Map.of())).isEqualTo("catch-all");
    }

    private static String first(List<Route> routes, String path, Map<String, String> headers, Map<String, String> query) {
        return routes.stream().filter(r -> r.match().matches(path, headers::get, query::get)).findFirst()
                .map(Route::name).orElse(null);
    }

    @Test
    void badRegex_isRefusedNamingResourceAndField_whileGoodResourcesParse() {
        RouteConfiguration good = RouteConfiguration.newBuilder().setName("good").addVirtualHosts(
                io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder().setName("a").addDomains("*")).build();
        RouteConfiguration bad = RouteConfiguration.newBuilder().setName("http.80").addVirtualHosts(
                io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder().setName("a").addDomains("*")
                        .addRoutes(io.envoyproxy.envoy.config.route.v3.Route.newBuilder().setMatch(RouteMatch.newBuilder()
                                .setSafeRegex(RegexMatcher.newBuilder().setRegex("(")))
                                .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder().setCluster("c")))).build();
        var parsed = XdsParser.routeTables(List.of(Any.pack(good), Any.pack(bad)));
        assertThat(parsed.resources()).containsOnlyKeys("good");
        assertThat(parsed.errors()).singleElement().asString()
                .startsWith("RouteConfiguration http.80: virtual_hosts[0].routes[0].match.safe_regex.regex: invalid regex \"(\"");
    }

    @Test
    void wrongTypeInResponse_isRefused() {
        XdsState state = new XdsState();
        var problems = state.accept(XdsState.CDS, "1", List.of(Any.pack(RouteConfiguration.getDefaultInstance())));
        assertThat(problems).singleElement().asString().contains("RouteConfiguration", "Cluster");
        assertThat(state.accepted(XdsState.CDS)).isNull();
    }

    @Test
    void outlierDetectionAndCircuitBreakers_areParsed_withEnvoyDefaultsForUnsetFields() {
        var cb = io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.newBuilder().addThresholds(
                io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds.newBuilder()
                        .setMaxConnections(com.google.protobuf.UInt32Value.of(10))
                        .setMaxRequests(com.google.protobuf.UInt32Value.of(-1)));
        var od = io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder()
                .setConsecutive5Xx(com.google.protobuf.UInt32Value.of(7))
                .setBaseEjectionTime(com.google.protobuf.Duration.newBuilder().setSeconds(2));
        var cluster = io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder().setName("outbound|80||a.ns.svc.cluster.local")
                .setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS)
                .setCircuitBreakers(cb).setOutlierDetection(od).build();
        var plain = cluster.toBuilder().setName("outbound|80||b.ns.svc.cluster.local").clearCircuitBreakers()
                .clearOutlierDetection().build();
        var parsed = XdsParser.clusters(List.of(Any.pack(cluster), Any.pack(plain)));
        assertThat(parsed.errors()).isEmpty();
        ClusterSpec a = parsed.resources().get("outbound|80||a.ns.svc.cluster.local");
        assertThat(a.outlierDetection()).isEqualTo(new dev.mesh.proxy.model.OutlierDetection(7, 0, Duration.ofSeconds(10),
                Duration.ofSeconds(2), 10));
        assertThat(a.connectionLimits()).isEqualTo(new dev.mesh.proxy.model.ConnectionLimits(10, 1024, Integer.MAX_VALUE));
        ClusterSpec b = parsed.resources().get("outbound|80||b.ns.svc.cluster.local");
        assertThat(b.outlierDetection()).isNull();
        assertThat(b.connectionLimits()).isNull();
    }
}
