package dev.mesh.api.security;

import static dev.mesh.api.security.SecurityManifests.assertError;
import static dev.mesh.api.security.SecurityManifests.assertWarning;
import static dev.mesh.api.security.SecurityManifests.readOne;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.security.AuthorizationPolicy.Action;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizationPolicyTest {

    private static final String NAME = "AuthorizationPolicy demo/allow-get";

    private static IstioResource<AuthorizationPolicy> read(String spec) {
        return readOne(Kind.AUTHORIZATION_POLICY, """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: allow-get, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    @Test
    void fullSpec_parsesIntoTypedFields() {
        IstioResource<AuthorizationPolicy> ap = read("""
                selector: {matchLabels: {app: podinfo}}
                action: ALLOW
                rules:
                - from:
                  - source:
                      principals: ["cluster.local/ns/demo/sa/frontend", "*/sa/gateway"]
                      notPrincipals: ["cluster.local/ns/demo/sa/legacy"]
                      requestPrincipals: ["https://issuer.example.com/*"]
                      notRequestPrincipals: ["https://issuer.example.com/bot"]
                      ipBlocks: ["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]
                      notIpBlocks: ["10.1.0.0/16"]
                      remoteIpBlocks: ["203.0.113.0/24"]
                      notRemoteIpBlocks: ["203.0.113.9"]
                  - source:
                      namespaces: ["demo", "istio-*"]
                      notNamespaces: ["kube-system"]
                  to:
                  - operation:
                      hosts: ["podinfo.demo.svc.cluster.local", "*.example.com"]
                      notHosts: ["admin.example.com"]
                      ports: ["9898"]
                      notPorts: ["15000"]
                      methods: ["GET", "HEAD"]
                      notMethods: ["DELETE"]
                      paths: ["/version", "/api/*", "/items/{*}/detail/{**}"]
                      notPaths: ["/admin*"]
                  when:
                  - key: request.headers[x-canary]
                    values: ["true"]
                  - key: source.ip
                    notValues: ["10.0.0.1"]
                  - key: request.auth.claims[groups]
                    values: ["dev"]
                  - key: destination.port
                    values: ["9898"]
                """);

        assertThat(ap.problems()).isEmpty();
        AuthorizationPolicy spec = ap.spec();
        assertThat(spec.action()).isEqualTo(Action.ALLOW);
        assertThat(spec.selector().matchLabels()).containsEntry("app", "podinfo");
        assertThat(spec.targetRef()).isNull();
        assertThat(spec.targetRefs()).isEmpty();
        assertThat(spec.provider()).isNull();
        assertThat(spec.rules()).hasSize(1);
        Rule rule = spec.rules().get(0);
        assertThat(rule.from()).hasSize(2);
        Source first = rule.from().get(0).source();
        assertThat(first.principals()).containsExactly("cluster.local/ns/demo/sa/frontend", "*/sa/gateway");
        assertThat(first.notPrincipals()).containsExactly("cluster.local/ns/demo/sa/legacy");
        assertThat(first.requestPrincipals()).containsExactly("https://issuer.example.com/*");
        assertThat(first.notRequestPrincipals()).containsExactly("https://issuer.example.com/bot");
        assertThat(first.ipBlocks()).containsExactly("10.0.0.0/8", "192.168.1.7", "2001:db8::/32");
        assertThat(first.notIpBlocks()).containsExactly("10.1.0.0/16");
        assertThat(first.remoteIpBlocks()).containsExactly("203.0.113.0/24");
        assertThat(first.notRemoteIpBlocks()).containsExactly("203.0.113.9");
        assertThat(first.namespaces()).isEmpty();
        Source second = rule.from().get(1).source();
        assertThat(second.namespaces()).containsExactly("demo", "istio-*");
        assertThat(second.notNamespaces()).containsExactly("kube-system");
        Operation op = rule.to().get(0).operation();
        assertThat(op.hosts()).containsExactly("podinfo.demo.svc.cluster.local", "*.example.com");
        assertThat(op.notHosts()).containsExactly("admin.example.com");
        assertThat(op.ports()).containsExactly("9898");
        assertThat(op.notPorts()).containsExactly("15000");
        assertThat(op.methods()).containsExactly("GET", "HEAD");
        assertThat(op.notMethods()).containsExactly("DELETE");
        assertThat(op.paths()).containsExactly("/version", "/api/*", "/items/{*}/detail/{**}");
        assertThat(op.notPaths()).containsExactly("/admin*");
        assertThat(rule.when()).containsExactly(
                new Condition("request.headers[x-canary]", List.of("true"), List.of()),
                new Condition("source.ip", List.of(), List.of("10.0.0.1")),
                new Condition("request.auth.claims[groups]", List.of("dev"), List.of()),
                new Condition("destination.port", List.of("9898"), List.of()));
    }

    @Test
    void absentAction_isAllow_andEmptyRuleIsKept() {
        AuthorizationPolicy spec = read("rules: [{}]").spec();
        assertThat(spec.action()).isEqualTo(Action.ALLOW);
        assertThat(spec.rules()).containsExactly(new Rule(List.of(), List.of(), List.of()));
    }

    @Test
    void customWithProviderAndTargetRef_parses() {
        IstioResource<AuthorizationPolicy> ap = read("""
                targetRefs:
                - {group: gateway.networking.k8s.io, kind: Gateway, name: ingress}
                action: CUSTOM
                provider: {name: ext-authz}
                rules:
                - to: [{operation: {paths: ["/admin/*"]}}]
                """);
        assertThat(ap.problems()).isEmpty();
        assertThat(ap.spec().action()).isEqualTo(Action.CUSTOM);
        assertThat(ap.spec().provider().name()).isEqualTo("ext-authz");
        assertThat(ap.spec().targetRefs()).containsExactly(
                new PolicyTargetReference("gateway.networking.k8s.io", "Gateway", "ingress", ""));
    }

    @Test
    void v1beta1_isReadToo() {
        IstioResource<AuthorizationPolicy> ap = readOne(Kind.AUTHORIZATION_POLICY, """
                apiVersion: security.istio.io/v1beta1
                kind: AuthorizationPolicy
                metadata: {name: deny-all, namespace: demo}
                spec: {}
                """);
        assertThat(ap.problems()).isEmpty();
        assertThat(ap.spec().rules()).isEmpty();
    }

    @Test
    void nonNumericPort_isRejectedAtItsPath() {
        IstioResource<AuthorizationPolicy> ap = read("""
                rules:
                - to: [{operation: {ports: ["http", "70000", "8080"]}}]
                """);
        assertError(ap, NAME, "spec.rules[0].to[0].operation.ports[0]", "\"http\" is not a port");
        assertError(ap, NAME, "spec.rules[0].to[0].operation.ports[1]", "\"70000\" is not a port");
        assertThat(ap.errors()).hasSize(2);
    }

    @Test
    void customWithoutProvider_isRejected() {
        IstioResource<AuthorizationPolicy> ap = read("""
                action: CUSTOM
                rules: [{}]
                """);
        assertError(ap, NAME, "spec.provider", "is required with the CUSTOM action");
    }

    @Test
    void providerWithoutCustom_isRejected() {
        IstioResource<AuthorizationPolicy> ap = read("""
                action: ALLOW
                provider: {name: ext-authz}
                rules: [{}]
                """);
        assertError(ap, NAME, "spec.provider", "only allowed with the CUSTOM action, found action ALLOW");
    }

    @Test
    void denyWithoutRules_isRejected() {
        IstioResource<AuthorizationPolicy> ap = read("action: DENY");
        assertError(ap, NAME, "spec.rules", "DENY policy without rules never applies");
    }

    @Test
    void emptySourceAndOperation_areRejected() {
        IstioResource<AuthorizationPolicy> ap = read("""
                rules:
                - from: [{source: {}}]
                  to: [{operation: {}}]
                """);
        assertError(ap, NAME, "spec.rules[0].from[0].source", "must set at least one field");
        assertError(ap, NAME, "spec.rules[0].to[0].operation", "must set at least one field");
    }

    @Test
    void emptyFromList_andMissingSource_areRejected() {
        IstioResource<AuthorizationPolicy> ap = read("""
                rules:
                - from: []
                - to: [{}]
                """);
        assertError(ap, NAME, "spec.rules[0].from", "must not be empty");
        assertError(ap, NAME, "spec.rules[1].to[0].operation", "is required");
    }

    @Test
    void badIpBlockAndEmptyPrincipal_areRejected() {
        IstioResource<AuthorizationPolicy> ap = read("""
                rules:
                - from:
                  - source:
                      ipBlocks: ["10.0.0.0/8", "10.0.0.300", "10.0.0.0/33", "podinfo"]
                      principals: [""]
                """);
        assertError(ap, NAME, "spec.rules[0].from[0].source.ipBlocks[1]", "\"10.0.0.300\" is not a valid IP address");
        assertError(ap, NAME, "spec.rules[0].from[0].source.ipBlocks[2]", "prefix length must be 0..32");
        assertError(ap, NAME, "spec.rules[0].from[0].source.ipBlocks[3]", "\"podinfo\" is not a valid IP address");
        assertError(ap, NAME, "spec.rules[0].from[0].source.principals[0]", "must not be an empty string");
    }

    @Test
    void conditions_needAKnownKeyAndValues() {
        IstioResource<AuthorizationPolicy> ap = read("""
                rules:
                - when:
                  - key: request.header[x-user]
                    values: ["a"]
                  - key: source.namespace
                  - key: request.headers
                    values: ["a"]
                  - key: source.ip
                    values: ["not-an-ip"]
                  - key: destination.labels[app]
                    values: ["podinfo"]
                """);
        assertError(ap, NAME, "spec.rules[0].when[0].key", "unknown attribute \"request.header[x-user]\"");
        assertError(ap, NAME, "spec.rules[0].when[1].values", "at least one of values or notValues");
        assertError(ap, NAME, "spec.rules[0].when[2].key", "bad key \"request.headers\"");
        assertError(ap, NAME, "spec.rules[0].when[3].values[0]", "\"not-an-ip\" is not a valid IP address");
        assertError(ap, NAME, "spec.rules[0].when[4].key", "use the selector");
    }

    @Test
    void selectorAndTargetRef_areExclusive() {
        IstioResource<AuthorizationPolicy> ap = read("""
                selector: {matchLabels: {app: podinfo}}
                targetRef: {kind: Service, name: podinfo}
                """);
        assertError(ap, NAME, "spec.targetRef", "only one of selector, targetRef or targetRefs");
    }

    @Test
    void targetRef_mustBeASupportedKindInTheSameNamespace() {
        IstioResource<AuthorizationPolicy> ap = read("""
                targetRefs:
                - {group: apps, kind: Deployment, name: podinfo}
                - {kind: Service, name: podinfo, namespace: other}
                """);
        assertError(ap, NAME, "spec.targetRefs[0].kind", "cannot target apps/Deployment");
        assertError(ap, NAME, "spec.targetRefs[1].namespace", "cross-namespace references are not supported");
    }

    @Test
    void customPolicy_cannotMatchOnIdentity() {
        IstioResource<AuthorizationPolicy> ap = read("""
                action: CUSTOM
                provider: {name: ext-authz}
                rules:
                - from: [{source: {principals: ["cluster.local/ns/demo/sa/frontend"]}}]
                  when: [{key: request.auth.principal, values: ["x/y"]}]
                """);
        assertError(ap, NAME, "spec.rules[0].from[0].source.principals", "not supported with the CUSTOM action");
        assertError(ap, NAME, "spec.rules[0].when[0].key", "not supported with the CUSTOM action");
    }

    @Test
    void badPathTemplate_andUnknownAction_areRejected() {
        IstioResource<AuthorizationPolicy> ap = read("""
                action: PERMIT
                rules:
                - to: [{operation: {paths: ["/a/{**}/b/{*}", "/a/{id}"]}}]
                """);
        assertError(ap, NAME, "spec.action", "unknown value \"PERMIT\"");
        assertError(ap, NAME, "spec.rules[0].to[0].operation.paths[0]", "{**} must be the last operator");
        assertError(ap, NAME, "spec.rules[0].to[0].operation.paths[1]", "only allowed in the templates");
    }

    @Test
    void serviceAccounts_withNamespaces_areRejected() {
        IstioResource<AuthorizationPolicy> ap = read("""
                rules:
                - from: [{source: {serviceAccounts: ["demo/frontend", "a/b/c"], namespaces: ["demo"]}}]
                """);
        assertError(ap, NAME, "spec.rules[0].from[0].source.serviceAccounts",
                "cannot be set together with principals or namespaces");
        assertError(ap, NAME, "spec.rules[0].from[0].source.serviceAccounts[1]", "'namespace/serviceAccount'");
    }

    @Test
    void likelyMistakes_areWarnings() {
        IstioResource<AuthorizationPolicy> ap = read("""
                action: DENY
                rules:
                - from: [{source: {principals: ["cluster.local/*/sa/x"]}}]
                  to: [{operation: {methods: ["get"], paths: ["admin"]}}]
                """);
        assertThat(ap.isValid()).isTrue();
        assertWarning(ap, "spec.rules[0]", "denies all traffic to TCP ports");
        assertWarning(ap, "spec.rules[0].from[0].source.principals[0]", "'*' in the middle");
        assertWarning(ap, "spec.rules[0].to[0].operation.methods[0]", "not upper case");
        assertWarning(ap, "spec.rules[0].to[0].operation.paths[0]", "does not start with '/'");
    }
}
