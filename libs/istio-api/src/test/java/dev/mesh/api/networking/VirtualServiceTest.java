package dev.mesh.api.networking;

import static dev.mesh.api.networking.Parsed.assertClean;
import static dev.mesh.api.networking.Parsed.assertError;
import static dev.mesh.api.networking.Parsed.assertWarning;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VirtualServiceTest {

    private static final String NAME = "VirtualService demo/reviews";

    private static IstioResource<VirtualService> parse(String spec) {
        return Parsed.one(Kind.VIRTUAL_SERVICE, """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    /** A route bound to a gateway, with {@code http} given: the common frame of the invalid cases. */
    private static IstioResource<VirtualService> parseHttp(String http) {
        return parse("""
                hosts: [reviews.example.com]
                gateways: [edge-gw]
                http:
                """ + http);
    }

    @Test
    void fullFeaturedVirtualService_parsesTypedWithoutProblems() {
        IstioResource<VirtualService> resource = parse("""
                hosts: [reviews.demo.svc.cluster.local, "*.reviews.example.com"]
                gateways: [mesh, istio-system/edge-gw]
                exportTo: [".", istio-system]
                http:
                - name: canary
                  match:
                  - name: jason
                    uri: {prefix: /api}
                    method: {exact: GET}
                    authority: {regex: "reviews.*"}
                    headers:
                      end-user: {exact: jason}
                    queryParams:
                      debug: {exact: "1"}
                    withoutHeaders:
                      x-skip: {regex: "*"}
                    port: 9080
                    sourceLabels: {app: productpage}
                    sourceNamespace: demo
                    ignoreUriCase: true
                  rewrite: {uri: /v2/api, authority: reviews-v2}
                  route:
                  - destination: {host: reviews.demo.svc.cluster.local, subset: v2, port: {number: 9080}}
                    weight: 75
                    headers: {response: {remove: [x-internal]}}
                  - destination: {host: reviews.demo.svc.cluster.local, subset: v1}
                    weight: 25
                  timeout: 1.5s
                  retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,connect-failure,503", retryRemoteLocalities: true}
                  fault:
                    delay: {fixedDelay: 2s, percentage: {value: 10}}
                    abort: {httpStatus: 503, percentage: {value: 0.5}}
                  mirror: {host: reviews-shadow.demo.svc.cluster.local}
                  mirrorPercentage: {value: 25.5}
                  corsPolicy:
                    allowOrigins: [{exact: "https://example.com"}, {regex: "https://.*[.]example[.]com"}]
                    allowMethods: [GET, POST]
                    allowHeaders: [x-custom]
                    exposeHeaders: ["*"]
                    maxAge: 24h
                    allowCredentials: false
                  headers:
                    request: {set: {x-canary: "true"}, add: {x-request-copy: "%REQ(x-request-id)%"}}
                - name: legacy-redirect
                  match: [{uri: {exact: /old}}]
                  redirect: {uri: /new, authority: reviews.example.com, redirectCode: 308}
                - name: teapot
                  match: [{uri: {exact: /teapot}}]
                  directResponse: {status: 418, body: {string: "I'm a teapot"}}
                - name: shadowed
                  match: [{uri: {prefix: /shadow}}]
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                  mirrors:
                  - destination: {host: shadow.demo.svc.cluster.local, subset: v3}
                    percentage: {value: 50}
                - route:
                  - destination: {host: reviews.demo.svc.cluster.local, subset: v1}
                tcp:
                - match: [{port: 3306, destinationSubnets: [10.0.0.0/8]}]
                  route: [{destination: {host: mysql.demo.svc.cluster.local, port: {number: 3306}}}]
                tls:
                - match: [{port: 443, sniHosts: [login.reviews.example.com]}]
                  route: [{destination: {host: login.demo.svc.cluster.local}}]
                """);

        assertClean(resource);
        VirtualService vs = resource.spec();
        assertThat(vs.hosts()).containsExactly("reviews.demo.svc.cluster.local", "*.reviews.example.com");
        assertThat(vs.gateways()).containsExactly("mesh", "istio-system/edge-gw");
        assertThat(vs.exportTo()).containsExactly(".", "istio-system");
        assertThat(vs.appliesToMesh()).isTrue();
        assertThat(vs.http()).hasSize(5);

        HTTPRoute canary = vs.http().get(0);
        assertThat(canary.name()).isEqualTo("canary");
        HTTPMatchRequest match = canary.match().get(0);
        assertThat(match.uri()).isEqualTo(StringMatch.prefix("/api"));
        assertThat(match.method().exact()).isEqualTo("GET");
        assertThat(match.authority().regex()).isEqualTo("reviews.*");
        assertThat(match.headers()).containsEntry("end-user", StringMatch.exact("jason"));
        assertThat(match.queryParams()).containsEntry("debug", StringMatch.exact("1"));
        assertThat(match.withoutHeaders().get("x-skip").regex()).isEqualTo("*");
        assertThat(match.port()).isEqualTo(9080);
        assertThat(match.sourceLabels()).isEqualTo(Map.of("app", "productpage"));
        assertThat(match.ignoreUriCase()).isTrue();
        assertThat(match.scheme()).isNull();
        assertThat(canary.rewrite().uri()).isEqualTo("/v2/api");
        assertThat(canary.route()).extracting(HTTPRouteDestination::weight).containsExactly(75, 25);
        HTTPRouteDestination v2 = canary.route().get(0);
        assertThat(v2.destination().host()).isEqualTo("reviews.demo.svc.cluster.local");
        assertThat(v2.destination().subset()).isEqualTo("v2");
        assertThat(v2.destination().port().number()).isEqualTo(9080);
        assertThat(v2.headers().response().remove()).containsExactly("x-internal");
        assertThat(canary.route().get(1).destination().port()).isNull();
        assertThat(canary.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(canary.retries().attempts()).isEqualTo(3);
        assertThat(canary.retries().perTryTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(canary.retries().retryOn()).isEqualTo("5xx,connect-failure,503");
        assertThat(canary.retries().retryRemoteLocalities()).isTrue();
        assertThat(canary.retries().backoff()).isNull();
        assertThat(canary.fault().delay().fixedDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(canary.fault().delay().percentage().value()).isEqualTo(10.0);
        assertThat(canary.fault().abort().httpStatus()).isEqualTo(503);
        assertThat(canary.fault().abort().percentage().value()).isEqualTo(0.5);
        assertThat(canary.mirror().host()).isEqualTo("reviews-shadow.demo.svc.cluster.local");
        assertThat(canary.mirrorPercentage().value()).isEqualTo(25.5);
        assertThat(canary.mirrorPercent()).isNull();
        assertThat(canary.corsPolicy().allowOrigins()).containsExactly(StringMatch.exact("https://example.com"),
                StringMatch.regex("https://.*[.]example[.]com"));
        assertThat(canary.corsPolicy().maxAge()).isEqualTo(Duration.ofHours(24));
        assertThat(canary.corsPolicy().allowCredentials()).isFalse();
        assertThat(canary.corsPolicy().unmatchedPreflights()).isEqualTo(CorsPolicy.UnmatchedPreflights.UNSPECIFIED);
        assertThat(canary.headers().request().set()).containsEntry("x-canary", "true");

        HTTPRedirect redirect = vs.http().get(1).redirect();
        assertThat(redirect.uri()).isEqualTo("/new");
        assertThat(redirect.redirectCode()).isEqualTo(308);
        assertThat(redirect.derivePort()).isNull();
        assertThat(vs.http().get(1).route()).isEmpty();
        HTTPDirectResponse direct = vs.http().get(2).directResponse();
        assertThat(direct.status()).isEqualTo(418);
        assertThat(new String(direct.body().content())).isEqualTo("I'm a teapot");
        HTTPMirrorPolicy mirror = vs.http().get(3).mirrors().get(0);
        assertThat(mirror.destination().subset()).isEqualTo("v3");
        assertThat(mirror.percentage().value()).isEqualTo(50.0);
        assertThat(vs.http().get(4).match()).isEmpty();

        TCPRoute tcp = vs.tcp().get(0);
        assertThat(tcp.match().get(0).port()).isEqualTo(3306);
        assertThat(tcp.match().get(0).destinationSubnets()).containsExactly("10.0.0.0/8");
        assertThat(tcp.route().get(0).destination().port().number()).isEqualTo(3306);
        assertThat(vs.tls().get(0).match().get(0).sniHosts()).containsExactly("login.reviews.example.com");
    }

    @Test
    void recordsBuiltInCode_areNormalisedLikeParsedOnes() {
        HTTPRoute route = new HTTPRoute(null, null, List.of(new HTTPRouteDestination(Destination.of("a.b"), 0, null)),
                null, null, null, null, null, null, null, null, null, null, null, null, null);
        assertThat(route.name()).isEmpty();
        assertThat(route.match()).isEmpty();
        assertThat(route.route().get(0).destination().subset()).isEmpty();
    }

    @Test
    void negativeWeight_isRejectedAtItsPath() {
        IstioResource<VirtualService> r = parseHttp("""
                - route:
                  - destination: {host: reviews.demo.svc.cluster.local, subset: v1}
                    weight: 90
                  - destination: {host: reviews.demo.svc.cluster.local, subset: v2}
                    weight: -10
                """);
        assertError(r, NAME, "spec.http[0].route[1].weight", "-10", "negative");
    }

    @Test
    void allWeightsZero_withSeveralDestinations_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - route:
                  - destination: {host: a.demo.svc.cluster.local}
                    weight: 0
                  - destination: {host: b.demo.svc.cluster.local}
                    weight: 0
                """);
        assertError(r, NAME, "spec.http[0].route", "total destination weight is 0");
    }

    @Test
    void wildcardHost_boundToMesh_isRejected() {
        IstioResource<VirtualService> r = parse("""
                hosts: ["*"]
                http:
                - route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.hosts[0]", "wildcard host * is not allowed", "mesh gateway");
    }

    @Test
    void duplicateHosts_areRejected() {
        IstioResource<VirtualService> r = parse("""
                hosts: ["*.example.com", api.example.com]
                gateways: [edge-gw]
                http:
                - route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.hosts[1]", "duplicate hosts", "*.example.com & api.example.com");
    }

    @Test
    void routeAndRedirect_areExclusive() {
        IstioResource<VirtualService> r = parseHttp("""
                - redirect: {uri: /new}
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].route", "both route and redirect");
    }

    @Test
    void routeWithoutAction_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - match: [{uri: {prefix: /}}]
                  timeout: 5s
                """);
        assertError(r, NAME, "spec.http[0]", "needs a route, a redirect, a directResponse or a delegate");
    }

    @Test
    void noRoutesAtAll_isRejected() {
        IstioResource<VirtualService> r = parse("hosts: [reviews.example.com]\n");
        assertError(r, NAME, "spec", "http, tcp or tls must be provided");
    }

    @Test
    void uriRegex_mustCompile() {
        IstioResource<VirtualService> r = parseHttp("""
                - match: [{uri: {regex: "/api/(v1"}}]
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].match[0].uri.regex", "invalid regex", "/api/(v1");
    }

    @Test
    void stringMatch_withTwoKinds_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - match: [{uri: {exact: /a, prefix: /b}}]
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].match[0].uri", "only one of exact, prefix or regex");
    }

    @Test
    void headerMatch_withInvalidName_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - match: [{headers: {"end user": {exact: jason}}}]
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].match[0].headers.end user", "not a valid header name");
    }

    @Test
    void abortStatus_outOfRange_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - fault: {abort: {httpStatus: 700, percentage: {value: 100}}}
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].fault.abort.httpStatus", "HTTP status 700", "200..599");
    }

    @Test
    void faultPercentage_outOfRange_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - fault: {delay: {fixedDelay: 1s, percentage: {value: 120}}}
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].fault.delay.percentage.value", "percentage 120.0");
    }

    @Test
    void timeoutBelowOneMillisecond_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - timeout: 500us
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].timeout", "at least 1ms");
    }

    @Test
    void unknownRetryOnPolicy_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - retries: {attempts: 2, retryOn: "5xx,sometimes"}
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].retries.retryOn", "\"sometimes\" is not a valid retryOn policy");
    }

    @Test
    void subsetName_mustBeDnsLabel() {
        IstioResource<VirtualService> r = parseHttp("""
                - route: [{destination: {host: reviews.demo.svc.cluster.local, subset: V_1}}]
                """);
        assertError(r, NAME, "spec.http[0].route[0].destination.subset", "invalid subset name \"V_1\"");
    }

    @Test
    void destinationPort_outOfRange_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - route: [{destination: {host: reviews.demo.svc.cluster.local, port: {number: 70000}}}]
                """);
        assertError(r, NAME, "spec.http[0].route[0].destination.port.number", "70000", "1..65535");
    }

    @Test
    void destinationHost_isRequired() {
        IstioResource<VirtualService> r = parseHttp("""
                - route: [{destination: {subset: v1}}]
                """);
        assertError(r, NAME, "spec.http[0].route[0].destination.host", "is required");
    }

    @Test
    void mirrorPercentage_above100_isRejected() {
        IstioResource<VirtualService> r = parseHttp("""
                - mirror: {host: shadow.demo.svc.cluster.local}
                  mirrorPercentage: {value: 150}
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.http[0].mirrorPercentage.value", "150.0", "0..100");
    }

    @Test
    void deprecatedMirrorPercent_isReadAndWarned() {
        IstioResource<VirtualService> r = parseHttp("""
                - mirror: {host: shadow.demo.svc.cluster.local}
                  mirrorPercent: 30
                  route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertThat(r.isValid()).isTrue();
        assertThat(r.spec().http().get(0).mirrorPercent()).isEqualTo(30);
        assertWarning(r, "spec.http[0].mirrorPercent", "deprecated");
    }

    @Test
    void delegateVirtualService_mustNotNameGateways() {
        IstioResource<VirtualService> r = parse("""
                gateways: [edge-gw]
                http:
                - route: [{destination: {host: reviews.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.gateways", "delegate virtual service");
    }

    @Test
    void sniHost_outsideTheVirtualServiceHosts_isRejected() {
        IstioResource<VirtualService> r = parse("""
                hosts: ["*.bookinfo.com"]
                gateways: [edge-gw]
                tls:
                - match: [{port: 443, sniHosts: [login.example.com]}]
                  route: [{destination: {host: login.demo.svc.cluster.local}}]
                """);
        assertError(r, NAME, "spec.tls[0].match[0].sniHosts[0]", "login.example.com", "not a compatible subset");
    }

    @Test
    void ruleAfterCatchAll_isWarnedUnreachable() {
        IstioResource<VirtualService> r = parseHttp("""
                - route: [{destination: {host: a.demo.svc.cluster.local}}]
                - route: [{destination: {host: b.demo.svc.cluster.local}}]
                """);
        assertThat(r.isValid()).isTrue();
        assertWarning(r, "spec.http[1]", "only the last rule can have no matches");
    }
}
