package dev.mesh.cluster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private final TokenIssuer issuer = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC));

    @Test
    void issuedToken_verifiesWithServiceAccountUserAndGroups() {
        String token = issuer.issue("demo", "podinfo", List.of("istio-ca"), Duration.ofHours(1));

        TokenIssuer.Verdict v = issuer.verify(token, List.of("istio-ca"));

        assertThat(v.authenticated()).isTrue();
        assertThat(v.username()).isEqualTo("system:serviceaccount:demo:podinfo");
        assertThat(v.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:demo", "system:authenticated");
        assertThat(v.audiences()).containsExactly("istio-ca");
    }

    @Test
    void audiences_areTheIntersectionOfTokenAndReview() {
        String token = issuer.issue("demo", "sa", List.of("istio-ca", "other"), Duration.ofHours(1));

        assertThat(issuer.verify(token, List.of("other", "unrelated")).audiences()).containsExactly("other");
        TokenIssuer.Verdict none = issuer.verify(token, List.of("unrelated"));
        assertThat(none.authenticated()).isFalse();
        assertThat(none.error()).contains("audiences").contains("unrelated");
    }

    @Test
    void reviewWithoutAudiences_needsTheApiServersAudience() {
        String forCa = issuer.issue("demo", "sa", List.of("istio-ca"), Duration.ofHours(1));
        String forApi = issuer.issue("demo", "sa", List.of(), Duration.ofHours(1));

        assertThat(issuer.verify(forCa, List.of()).authenticated()).isFalse();
        assertThat(issuer.verify(forApi, List.of()).authenticated()).isTrue();
    }

    @Test
    void tokenSignedByAnotherKey_isRefused() {
        TokenIssuer other = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC));
        String forged = other.issue("demo", "sa", List.of("istio-ca"), Duration.ofHours(1));

        TokenIssuer.Verdict v = issuer.verify(forged, List.of("istio-ca"));

        assertThat(v.authenticated()).isFalse();
        assertThat(v.error()).contains("signature");
    }

    @Test
    void expiredToken_isRefused() {
        MovableClock clock = new MovableClock(T0);
        TokenIssuer shortLived = new TokenIssuer(clock);
        String token = shortLived.issue("demo", "sa", List.of("istio-ca"), Duration.ofMinutes(10));
        assertThat(shortLived.verify(token, List.of("istio-ca")).authenticated()).isTrue();

        clock.now = T0.plus(Duration.ofMinutes(11));
        TokenIssuer.Verdict v = shortLived.verify(token, List.of("istio-ca"));

        assertThat(v.authenticated()).isFalse();
        assertThat(v.error()).contains("expired");
    }

    @Test
    void tamperedClaims_areRefused() {
        String token = issuer.issue("demo", "sa", List.of("istio-ca"), Duration.ofHours(1));
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("system:serviceaccount:demo:sa", "system:serviceaccount:istio-system:admin");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        assertThat(issuer.verify(tampered, List.of("istio-ca")).authenticated()).isFalse();
        assertThat(issuer.verify("not-a-jwt", List.of("istio-ca")).error()).contains("not a JWT");
    }

    @Test
    void badNames_areRejectedAtIssue() {
        assertThatThrownBy(() -> issuer.issue("", "sa", List.of(), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
        assertThatThrownBy(() -> issuer.issue("demo", "sa", List.of(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }

    private static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
