package dev.mesh.api.security;

import static dev.mesh.api.security.SecurityManifests.assertError;
import static dev.mesh.api.security.SecurityManifests.readOne;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestAuthenticationTest {

    private static final String NAME = "RequestAuthentication demo/jwt";

    private static IstioResource<RequestAuthentication> read(String spec) {
        return readOne(Kind.REQUEST_AUTHENTICATION, """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    @Test
    void fullSpec_parsesIntoTypedFields() {
        IstioResource<RequestAuthentication> ra = read("""
                selector: {matchLabels: {app: podinfo}}
                jwtRules:
                - issuer: https://issuer.example.com
                  audiences: [podinfo, api]
                  jwksUri: https://issuer.example.com/.well-known/jwks.json
                  fromHeaders:
                  - {name: x-jwt-assertion, prefix: "Bearer "}
                  - {name: x-token}
                  fromParams: [access_token]
                  fromCookies: [session]
                  outputPayloadToHeader: x-jwt-payload
                  forwardOriginalToken: true
                  outputClaimToHeaders:
                  - {header: x-jwt-sub, claim: sub}
                  timeout: 1.5s
                - issuer: inline-issuer
                  jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"abc"}]}'
                """);

        assertThat(ra.problems()).isEmpty();
        RequestAuthentication spec = ra.spec();
        assertThat(spec.selector().matchLabels()).containsEntry("app", "podinfo");
        assertThat(spec.targetRef()).isNull();
        assertThat(spec.jwtRules()).hasSize(2);
        JWTRule rule = spec.jwtRules().get(0);
        assertThat(rule.issuer()).isEqualTo("https://issuer.example.com");
        assertThat(rule.audiences()).containsExactly("podinfo", "api");
        assertThat(rule.jwksUri()).isEqualTo("https://issuer.example.com/.well-known/jwks.json");
        assertThat(rule.jwks()).isEmpty();
        assertThat(rule.fromHeaders()).containsExactly(
                new JWTHeader("x-jwt-assertion", "Bearer "), new JWTHeader("x-token", ""));
        assertThat(rule.fromParams()).containsExactly("access_token");
        assertThat(rule.fromCookies()).containsExactly("session");
        assertThat(rule.outputPayloadToHeader()).isEqualTo("x-jwt-payload");
        assertThat(rule.forwardOriginalToken()).isTrue();
        assertThat(rule.outputClaimToHeaders()).containsExactly(new ClaimToHeader("x-jwt-sub", "sub"));
        assertThat(rule.timeout()).isEqualTo(Duration.ofMillis(1500));
        JWTRule inline = spec.jwtRules().get(1);
        assertThat(inline.jwksUri()).isEmpty();
        assertThat(inline.jwks()).contains("\"kty\":\"RSA\"");
        assertThat(inline.forwardOriginalToken()).isFalse();
        assertThat(inline.timeout()).isNull();
        assertThat(inline.fromHeaders()).isEmpty();
    }

    @Test
    void protoFieldNameJwksUri_isAccepted() {
        IstioResource<RequestAuthentication> ra = read("""
                jwtRules:
                - {issuer: iss, jwks_uri: "http://keys.example.com:8080/jwks"}
                """);
        assertThat(ra.problems()).isEmpty();
        assertThat(ra.spec().jwtRules().get(0).jwksUri()).isEqualTo("http://keys.example.com:8080/jwks");
    }

    @Test
    void v1beta1_isReadToo() {
        IstioResource<RequestAuthentication> ra = readOne(Kind.REQUEST_AUTHENTICATION, """
                apiVersion: security.istio.io/v1beta1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: demo}
                spec:
                  jwtRules: [{issuer: iss}]
                """);
        assertThat(ra.problems()).isEmpty();
        assertThat(ra.spec().jwtRules()).hasSize(1);
    }

    @Test
    void ruleWithoutIssuerOrJwksUri_isRejected() {
        IstioResource<RequestAuthentication> ra = read("jwtRules: [{audiences: [podinfo]}]");
        assertError(ra, NAME, "spec.jwtRules[0].issuer", "issuer or jwksUri must be set");
    }

    @Test
    void nonHttpJwksUri_isRejected() {
        IstioResource<RequestAuthentication> ra = read("""
                jwtRules:
                - {issuer: iss, jwksUri: "ftp://keys.example.com/jwks"}
                - {issuer: iss, jwksUri: "https://exa mple.com/jwks"}
                """);
        assertError(ra, NAME, "spec.jwtRules[0].jwksUri", "\"ftp://keys.example.com/jwks\" must be an http:// or https://");
        assertError(ra, NAME, "spec.jwtRules[1].jwksUri", "is not a valid URL");
    }

    @Test
    void jwksAndJwksUri_areExclusive_andJwksMustBeAKeySet() {
        IstioResource<RequestAuthentication> ra = read("""
                jwtRules:
                - {issuer: iss, jwksUri: "https://keys.example.com/jwks", jwks: '{"keys":[]}'}
                - {issuer: iss, jwks: "not json"}
                - {issuer: iss, jwks: '{"keys":[{"n":"abc"}]}'}
                """);
        assertError(ra, NAME, "spec.jwtRules[0].jwks", "only one of jwks, jwksUri");
        assertError(ra, NAME, "spec.jwtRules[1].jwks", "is not valid JSON");
        assertError(ra, NAME, "spec.jwtRules[2].jwks", "key 0 of the JSON Web Key Set has no \"kty\"");
    }

    @Test
    void headerLocations_needAName() {
        IstioResource<RequestAuthentication> ra = read("""
                jwtRules:
                - issuer: iss
                  fromHeaders: [{prefix: "Bearer "}, {name: ""}]
                  fromParams: [""]
                  fromCookies: [""]
                """);
        assertError(ra, NAME, "spec.jwtRules[0].fromHeaders[0].name", "is required");
        assertError(ra, NAME, "spec.jwtRules[0].fromHeaders[1].name", "must not be empty");
        assertError(ra, NAME, "spec.jwtRules[0].fromParams[0]", "must not be an empty string");
        assertError(ra, NAME, "spec.jwtRules[0].fromCookies[0]", "must not be an empty string");
    }

    @Test
    void claimToHeader_needsAValidHeaderAndAClaim() {
        IstioResource<RequestAuthentication> ra = read("""
                jwtRules:
                - issuer: iss
                  outputClaimToHeaders:
                  - {header: "x jwt sub", claim: sub}
                  - {header: x-jwt-sub}
                """);
        assertError(ra, NAME, "spec.jwtRules[0].outputClaimToHeaders[0].header",
                "\"x jwt sub\" is not a valid header name");
        assertError(ra, NAME, "spec.jwtRules[0].outputClaimToHeaders[1].claim", "is required");
    }

    @Test
    void emptyAudience_andSubMillisecondTimeout_areRejected() {
        IstioResource<RequestAuthentication> ra = read("""
                jwtRules:
                - {issuer: iss, audiences: [podinfo, ""], timeout: 500us}
                - {issuer: iss, timeout: 1500500us}
                """);
        assertError(ra, NAME, "spec.jwtRules[0].audiences[1]", "must not be an empty string");
        assertError(ra, NAME, "spec.jwtRules[0].timeout", "must be at least 1ms");
        assertError(ra, NAME, "spec.jwtRules[1].timeout", "more than millisecond precision");
    }

    @Test
    void targetRefAndSelector_areExclusive() {
        IstioResource<RequestAuthentication> ra = read("""
                selector: {matchLabels: {app: podinfo}}
                targetRefs: [{kind: Service, name: podinfo}]
                jwtRules: [{issuer: iss}]
                """);
        assertError(ra, NAME, "spec.targetRefs", "only one of selector, targetRef or targetRefs");
    }
}
