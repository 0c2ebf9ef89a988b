package dev.mesh.proxy.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RBAC rule sets built as the distributor builds them from AuthorizationPolicy, evaluated on request views. */
class RbacEngineTest {

    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";
    static final String PRODUCTPAGE = "spiffe://cluster.local/ns/shop/sa/productpage";

    static RequestView request(String method, String path, int port, String principal, String sourceIp) {
        return new RequestView(method, path, "ratings.shop:9080", Map.of("x-version", List.of("v2-beta")), port,
                "10.244.4.2", Optional.ofNullable(principal), sourceIp, sourceIp, "");
    }

    static Permission or(Permission... p) {
        return Permission.newBuilder().setOrRules(Permission.Set.newBuilder().addAllRules(List.of(p))).build();
    }

    static Permission and(Permission... p) {
        return Permission.newBuilder().setAndRules(Permission.Set.newBuilder().addAllRules(List.of(p))).build();
    }

    static Permission method(String m) {
        return Permission.newBuilder().setHeader(HeaderMatcher.newBuilder().setName(":method")
                .setStringMatch(StringMatcher.newBuilder().setExact(m))).build();
    }

    static Permission path(StringMatcher m) {
        return Permission.newBuilder().setUrlPath(PathMatcher.newBuilder().setPath(m)).build();
    }

    static Permission port(int p) {
        return Permission.newBuilder().setDestinationPort(p).build();
    }

    static Principal principal(StringMatcher m) {
        return Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(m)).build();
    }

    static Principal orIds(Principal... p) {
        return Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(List.of(p))).build();
    }

    static Principal andIds(Principal... p) {
        return Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(List.of(p))).build();
    }

    static final Principal ANY_PRINCIPAL = Principal.newBuilder().setAny(true).build();
    static final Permission ANY_PERMISSION = Permission.newBuilder().setAny(true).build();

    static RbacEngine engine(RBAC.Action action, Map<String, Policy> policies) {
        return RbacEngine.compile(RBAC.newBuilder().setAction(action).putAllPolicies(policies).build(), "test");
    }

    /** allow-reviews: GET on /ratings/* or /health at 9080, from the reviews service account, x-version v1 or v2*. */
    static final RbacEngine ALLOW_REVIEWS = engine(RBAC.Action.ALLOW, Map.of("ns[shop]-policy[allow-reviews]-rule[0]",
            Policy.newBuilder()
                    .addPermissions(and(or(method("GET")),
                            or(path(StringMatcher.newBuilder().setPrefix("/ratings/").build()),
                                    path(StringMatcher.newBuilder().setExact("/health").build())),
                            or(port(9080)),
                            or(Permission.newBuilder().setHeader(HeaderMatcher.newBuilder().setName("x-version")
                                    .setStringMatch(StringMatcher.newBuilder().setPrefix("v2"))).build())))
                    .addPrincipals(andIds(orIds(principal(StringMatcher.newBuilder().setExact(REVIEWS).build()))))
                    .build()));

    @Test
    void allowByPrincipal_onlyTheNamedPeerWithTheRightOperation() {
        assertThat(ALLOW_REVIEWS.decide(request("GET", "/ratings/7?x=1", 9080, REVIEWS, "10.244.4.5")).allowed()).isTrue();
        assertThat(ALLOW_REVIEWS.decide(request("GET", "/health", 9080, REVIEWS, "10.244.4.5")).matchedPolicy())
                .contains("ns[shop]-policy[allow-reviews]-rule[0]");
        assertThat(ALLOW_REVIEWS.decide(request("GET", "/ratings/7", 9080, PRODUCTPAGE, "10.244.4.1")).allowed()).isFalse();
        assertThat(ALLOW_REVIEWS.decide(request("GET", "/ratings/7", 9080, null, "10.244.4.5")).allowed())
                .as("plain text: no authenticated principal").isFalse();
        assertThat(ALLOW_REVIEWS.decide(request("POST", "/ratings/7", 9080, REVIEWS, "10.244.4.5")).allowed()).isFalse();
        assertThat(ALLOW_REVIEWS.decide(request("GET", "/ratings/7", 9090, REVIEWS, "10.244.4.5")).allowed()).isFalse();
        assertThat(ALLOW_REVIEWS.decide(request("GET", "/ratingsX", 9080, REVIEWS, "10.244.4.5")).allowed()).isFalse();
    }

    /** deny-admin: /admin and /admin/* for anyone; plain sources from 10/8 not in namespace shop. */
    static final RbacEngine DENY_ADMIN = engine(RBAC.Action.DENY, Map.of(
            "ns[shop]-policy[deny-admin]-rule[0]", Policy.newBuilder()
                    .addPermissions(and(or(path(StringMatcher.newBuilder().setExact("/admin").build()),
                            path(StringMatcher.newBuilder().setPrefix("/admin/").build()))))
                    .addPrincipals(ANY_PRINCIPAL).build(),
            "ns[shop]-policy[deny-admin]-rule[1]", Policy.newBuilder().addPermissions(ANY_PERMISSION)
                    .addPrincipals(andIds(
                            orIds(Principal.newBuilder().setDirectRemoteIp(CidrRange.newBuilder()
                                    .setAddressPrefix("10.0.0.0").setPrefixLen(com.google.protobuf.UInt32Value.of(8)))
                                    .build()),
                            Principal.newBuilder().setNotId(orIds(principal(StringMatcher.newBuilder()
                                    .setSafeRegex(RegexMatcher.newBuilder().setRegex(".*/ns/shop/.*")).build()))).build()))
                    .build()));

    @Test
    void denyByPath_queryIgnored_prefixNeedsTheSlash() {
        assertThat(DENY_ADMIN.decide(request("GET", "/admin?debug=1", 9080, REVIEWS, "192.168.1.1")).allowed()).isFalse();
        assertThat(DENY_ADMIN.decide(request("GET", "/admin/users", 9080, REVIEWS, "192.168.1.1")).matchedPolicy())
                .contains("ns[shop]-policy[deny-admin]-rule[0]");
        assertThat(DENY_ADMIN.decide(request("GET", "/administrator", 9080, REVIEWS, "192.168.1.1")).allowed()).isTrue();
    }

    @Test
    void denyBySourceIpAndNamespace_regexOnThePrincipal() {
        assertThat(DENY_ADMIN.decide(request("GET", "/x", 9080, null, "10.1.2.3")).matchedPolicy())
                .contains("ns[shop]-policy[deny-admin]-rule[1]");
        assertThat(DENY_ADMIN.decide(request("GET", "/x", 9080, "spiffe://cluster.local/ns/monitoring/sa/prom",
                "10.1.2.3")).allowed()).isFalse();
        assertThat(DENY_ADMIN.decide(request("GET", "/x", 9080, REVIEWS, "10.1.2.3")).allowed())
                .as("from namespace shop").isTrue();
        assertThat(DENY_ADMIN.decide(request("GET", "/x", 9080, null, "11.0.0.1")).allowed()).isTrue();
    }

    @Test
    void allowNothing_deniesEverything_andDenyWinsOverAllow() {
        RbacEngine allowNothing = engine(RBAC.Action.ALLOW, Map.of());
        assertThat(allowNothing.decide(request("GET", "/", 9080, REVIEWS, "10.0.0.1")).allowed()).isFalse();

        InboundAuthorization chain = InboundAuthorization.of(List.of(DENY_ADMIN, ALLOW_REVIEWS));
        assertThat(chain.check(request("GET", "/ratings/1", 9080, REVIEWS, "10.244.4.5"))).isEmpty();
        assertThat(chain.check(request("GET", "/ratings/1", 9080, PRODUCTPAGE, "10.244.4.1")))
                .hasValueSatisfying(d -> assertThat(d.reason()).isEqualTo("no ALLOW policy matched"));
        RbacEngine allowAdminToo = engine(RBAC.Action.ALLOW, Map.of("all", Policy.newBuilder()
                .addPermissions(ANY_PERMISSION).addPrincipals(ANY_PRINCIPAL).build()));
        assertThat(InboundAuthorization.of(List.of(DENY_ADMIN, allowAdminToo))
                .check(request("GET", "/admin", 9080, REVIEWS, "10.244.4.5")))
                .hasValueSatisfying(d -> assertThat(d.reason()).contains("deny-admin"));
        assertThat(InboundAuthorization.DENIED_STATUS).isEqualTo(403);
        assertThat(InboundAuthorization.DENIED_BODY).isEqualTo("RBAC: access denied");
    }

    @Test
    void headers_envoysMissingHeaderRules() {
        HeaderMatcher suffix = HeaderMatcher.newBuilder().setName(":authority")
                .setStringMatch(StringMatcher.newBuilder().setSuffix(".EVIL.com").setIgnoreCase(true)).build();
        var evil = RbacEngine.header(suffix, "t");
        assertThat(evil.test(new RequestView("GET", "/", "a.evil.COM", Map.of(), 80, "", Optional.empty(), "", "", "")))
                .isTrue();
        assertThat(evil.test(request("GET", "/", 80, null, ""))).isFalse();

        var inverted = RbacEngine.header(HeaderMatcher.newBuilder().setName("x-missing").setInvertMatch(true)
                .setStringMatch(StringMatcher.newBuilder().setExact("a")).build(), "t");
        assertThat(inverted.test(request("GET", "/", 80, null, ""))).as("missing header never matches a value").isFalse();
        var absent = RbacEngine.header(HeaderMatcher.newBuilder().setName("x-missing").setPresentMatch(false).build(), "t");
        assertThat(absent.test(request("GET", "/", 80, null, ""))).isTrue();
        var present = RbacEngine.header(HeaderMatcher.newBuilder().setName("x-version").setPresentMatch(true).build(), "t");
        assertThat(present.test(request("GET", "/", 80, null, ""))).isTrue();
    }

    @Test
    void tcpConnection_matchesPortsAndPrincipalsOnly() {
        RbacEngine monitoring = engine(RBAC.Action.ALLOW, Map.of("p", Policy.newBuilder()
                .addPermissions(and(or(port(9090))))
                .addPrincipals(andIds(orIds(principal(StringMatcher.newBuilder()
                        .setSafeRegex(RegexMatcher.newBuilder().setRegex(".*/ns/monitoring/.*")).build())))).build()));
        var prom = RequestView.connection(9090, "10.244.4.2", Optional.of("spiffe://cluster.local/ns/monitoring/sa/prom"),
                "10.244.9.9", "");
        assertThat(monitoring.decide(prom).allowed()).isTrue();
        assertThat(monitoring.decide(RequestView.connection(9091, "10.244.4.2", prom.peerPrincipal(), "10.244.9.9", ""))
                .allowed()).isFalse();
        assertThat(RbacEngine.permission(method("GET"), "t").test(prom)).as("no method on TCP").isFalse();
    }

    @Test
    void unsupportedRules_areRefusedNamingThePolicy() {
        RBAC rules = RBAC.newBuilder().putPolicies("ns[a]-policy[meta]-rule[0]", Policy.newBuilder()
                .addPermissions(Permission.newBuilder().setMetadata(MetadataMatcher.getDefaultInstance()))
                .addPrincipals(ANY_PRINCIPAL).build())
                .putPolicies("ns[a]-policy[regex]-rule[0]", Policy.newBuilder().addPermissions(ANY_PERMISSION)
                        .addPrincipals(principal(StringMatcher.newBuilder()
                                .setSafeRegex(RegexMatcher.newBuilder().setRegex("(")).build())).build())
                .build();
        assertThatThrownBy(() -> RbacEngine.compile(rules, "listener virtualInbound"))
                .hasMessageContaining("listener virtualInbound policy ns[a]-policy[meta]-rule[0]: permission METADATA")
                .hasMessageContaining("ns[a]-policy[regex]-rule[0]").hasMessageContaining("regex \"(\"");
    }
}
