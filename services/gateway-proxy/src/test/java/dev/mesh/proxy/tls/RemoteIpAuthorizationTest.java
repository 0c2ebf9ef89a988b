package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.rbac.InboundAuthorization;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Istio's {@code remoteIpBlocks} (RBAC {@code remote_ip}) and {@code ipBlocks} ({@code direct_remote_ip}) on a
 * sidecar's inbound HTTP chain, decided by {@link InboundSecurity#admit} for real requests from loopback that carry
 * {@code x-forwarded-for}: {@code remote_ip} is the client the chain's connection manager trusts (the rightmost entries
 * per {@code use_remote_address} and {@code xff_num_trusted_hops}), never the client's own first entry.
 */
class RemoteIpAuthorizationTest {

    static final int PORT = 9080;
    static final Clock CLOCK = Clock.systemUTC();

    final Vertx vertx = Vertx.vertx();
    final HttpClient client = vertx.createHttpClient();
    HttpServer server;

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    enum Kind { ALLOW, DENY }

    static Principal remoteIp(String prefix, int len) {
        return Principal.newBuilder().setRemoteIp(CidrRange.newBuilder().setAddressPrefix(prefix)
                .setPrefixLen(UInt32Value.of(len))).build();
    }

    static Principal directRemoteIp(String prefix, int len) {
        return Principal.newBuilder().setDirectRemoteIp(CidrRange.newBuilder().setAddressPrefix(prefix)
                .setPrefixLen(UInt32Value.of(len))).build();
    }

    /** Serves port 9080's inbound chain with one RBAC policy and the given XFF settings; returns the test port. */
    int serve(Kind kind, Principal principal, boolean useRemoteAddress, int trustedHops) throws Exception {
        RBAC rules = RBAC.newBuilder().setAction(kind == Kind.ALLOW ? RBAC.Action.ALLOW : RBAC.Action.DENY)
                .putPolicies("ns[shop]-policy[ip]-rule[0]", Policy.newBuilder()
                        .addPermissions(Permission.newBuilder().setAny(true)).addPrincipals(principal).build())
                .build();
        HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder().setStatPrefix("inbound_0.0.0.0_9080")
                .setRouteConfig(RouteConfiguration.newBuilder().setName("inbound|9080||"))
                .setXffNumTrustedHops(trustedHops)
                .addHttpFilters(HttpFilter.newBuilder().setName(InboundAuthorization.HTTP_FILTER).setTypedConfig(
                        Any.pack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder()
                                .setRules(rules).build())))
                .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router"));
        if (useRemoteAddress) {
            hcm.setUseRemoteAddress(BoolValue.of(true));
        }
        Listener inbound = Listener.newBuilder().setName("virtualInbound")
                .setTrafficDirection(TrafficDirection.INBOUND)
                .addFilterChains(FilterChain.newBuilder().setName("0.0.0.0_9080")
                        .setFilterChainMatch(FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(PORT)))
                        .addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager")
                                .setTypedConfig(Any.pack(hcm.build()))))
                .build();
        MeshInbound plan = MeshInbound.from(List.of(Any.pack(inbound)), new SecretResolver((CertificateStore) null),
                CLOCK);
        assertThat(plan.errors()).isEmpty();
        InboundSecurity security = new InboundSecurity(() -> plan, () -> "");
        server = vertx.createHttpServer().requestHandler(req -> {
            if (security.admit(req, PORT, "10.244.4.2")) {
                req.response().end("app");
            }
        });
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    /** The status of a GET from 127.0.0.1 with these headers. */
    int status(int port, Map<String, String> headers) throws Exception {
        RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/ratings/1");
        headers.forEach(o::putHeader);
        return client.request(o).compose(r -> r.send()).map(r -> r.statusCode()).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Map<String, String> xff(String value) {
        return Map.of("x-forwarded-for", value);
    }

    @Test
    void sidecarChain_remoteIpBlocksAllow_isNotOpenedByAForgedFirstEntry() throws Exception {
        int port = serve(Kind.ALLOW, remoteIp("192.0.2.0", 24), false, 0);
        assertThat(status(port, xff("192.0.2.7, 198.51.100.1"))).as("forged first entry").isEqualTo(403);
        assertThat(status(port, xff("198.51.100.1, 192.0.2.7"))).as("rightmost entry allowed").isEqualTo(200);
        assertThat(status(port, Map.of())).as("no XFF: the peer 127.0.0.1").isEqualTo(403);
    }

    @Test
    void sidecarChain_remoteIpBlocksDeny_isNotBypassedByPrependingAnAddress() throws Exception {
        int port = serve(Kind.DENY, remoteIp("203.0.113.0", 24), false, 0);
        assertThat(status(port, xff("203.0.113.5"))).isEqualTo(403);
        assertThat(status(port, xff("192.0.2.1, 203.0.113.5"))).as("prepended address").isEqualTo(403);
        assertThat(status(port, xff("203.0.113.5, 192.0.2.1"))).isEqualTo(200);
    }

    @Test
    void sidecarChain_withOneTrustedHop_takesTheSecondEntryFromTheRight() throws Exception {
        int port = serve(Kind.ALLOW, remoteIp("192.0.2.0", 24), false, 1);
        assertThat(status(port, xff("192.0.2.7, 198.51.100.1"))).isEqualTo(200);
        assertThat(status(port, xff("198.51.100.1, 192.0.2.7"))).isEqualTo(403);
        assertThat(status(port, xff("192.0.2.7"))).as("fewer entries than hops: the peer").isEqualTo(403);
    }

    @Test
    void edgeChain_trustsOnlyThePeer_withoutTrustedHops() throws Exception {
        int forged = serve(Kind.ALLOW, remoteIp("192.0.2.0", 24), true, 0);
        assertThat(status(forged, xff("192.0.2.7"))).isEqualTo(403);
        server.close();
        int loopback = serve(Kind.ALLOW, remoteIp("127.0.0.0", 8), true, 0);
        assertThat(status(loopback, xff("192.0.2.7"))).isEqualTo(200);
    }

    @Test
    void edgeChain_withOneTrustedHop_takesTheRightmostEntry() throws Exception {
        int port = serve(Kind.ALLOW, remoteIp("198.51.100.0", 24), true, 1);
        assertThat(status(port, xff("192.0.2.7, 198.51.100.1"))).isEqualTo(200);
        assertThat(status(port, xff("198.51.100.1, 192.0.2.7"))).isEqualTo(403);
        assertThat(status(port, Map.of())).as("no XFF: the peer").isEqualTo(403);
    }

    @Test
    void ipBlocks_matchTheConnectionsPeer_whateverXffSays() throws Exception {
        int other = serve(Kind.ALLOW, directRemoteIp("192.0.2.0", 24), false, 0);
        assertThat(status(other, xff("192.0.2.7"))).isEqualTo(403);
        server.close();
        int loopback = serve(Kind.ALLOW, directRemoteIp("127.0.0.1", 32), false, 0);
        assertThat(status(loopback, xff("192.0.2.7"))).isEqualTo(200);
        assertThat(status(loopback, Map.of())).isEqualTo(200);
    }
}
