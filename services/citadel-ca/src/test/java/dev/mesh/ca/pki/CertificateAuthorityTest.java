package dev.mesh.ca.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.ca.auth.CallerAuthenticator;
import dev.mesh.ca.auth.ClientCertificateVerifier;
import dev.mesh.ca.auth.Credentials;
import dev.mesh.ca.auth.TokenValidator;
import dev.mesh.ca.metrics.CaMetrics;
import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.model.CaSettings;
import dev.mesh.ca.model.Identity;
import dev.mesh.ca.testing.Csrs;
import dev.mesh.ca.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {

    private static final String NS = "demo";
    private static final String SA = "podinfo";
    private static final String ID = "spiffe://cluster.local/ns/demo/sa/podinfo";

    private final MutableClock clock = MutableClock.ofNow();
    private final CaSettings settings = CaSettings.defaults("istio-system");
    private final CurrentKeyMaterial material = new CurrentKeyMaterial();
    private final X509CertificateSigner signer = new X509CertificateSigner(clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Hand-written fake: a table of tokens. */
    private final TokenValidator tokens = token -> {
        Identity identity = Map.of("good", new Identity("cluster.local", NS, SA),
                "other-domain", new Identity("evil.local", NS, SA)).get(token);
        if (identity == null) {
            throw new CaException(Reason.INVALID_TOKEN, "bearer token refused");
        }
        return identity;
    };
    private final CertificateAuthority ca = new CertificateAuthority(
            new CallerAuthenticator(tokens, new ClientCertificateVerifier(material, "cluster.local", clock)),
            signer, material, settings, new CaMetrics(registry, clock, material::peek));

    CertificateAuthorityTest() {
        material.set(new SelfSignedRoot(clock).create("cluster.local", Duration.ofDays(3650)));
    }

    @Test
    void validCsr_yieldsLeafWithSpiffeSanThenRoot() throws Exception {
        List<String> chain = ca.createCertificate(Credentials.bearer("good"), Csrs.spiffe(Csrs.ecP256(), ID), 0);

        assertThat(chain).hasSize(2);
        X509Certificate leaf = Pem.certificates(chain.get(0), "leaf").get(0);
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, ID));
        assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(Duration.between(clock.instant(), leaf.getNotAfter().toInstant())).isEqualTo(Duration.ofHours(24));
        assertThat(leaf.getNotBefore().toInstant()).isBefore(clock.instant());
        leaf.verify(material.get().root().getPublicKey());
        assertThat(chain.get(1)).isEqualTo(Pem.encode(material.get().root()));
        assertThat(registry.get("citadel.server.csr").tags("outcome", "issued").counter().count()).isEqualTo(1);
        assertThat(registry.get("citadel.server.csr.signing").timer().count()).isEqualTo(1);
    }

    @Test
    void requestedTtl_isHonouredUpToTheMaximum() throws Exception {
        List<String> chain = ca.createCertificate(Credentials.bearer("good"), Csrs.spiffe(Csrs.ecP256(), ID), 3600);
        X509Certificate leaf = Pem.certificates(chain.get(0), "leaf").get(0);
        assertThat(Duration.between(clock.instant(), leaf.getNotAfter().toInstant())).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void csrForOtherIdentity_isRefused() {
        refused(Credentials.bearer("good"), Csrs.spiffe(Csrs.ecP256(), "spiffe://cluster.local/ns/kube-system/sa/admin"), 0,
                Reason.IDENTITY_MISMATCH, "may only request its own identity");
    }

    @Test
    void callerFromOtherTrustDomain_isRefused() {
        refused(Credentials.bearer("other-domain"), Csrs.spiffe(Csrs.ecP256(), "spiffe://evil.local/ns/demo/sa/podinfo"), 0,
                Reason.IDENTITY_MISMATCH, "trust domain");
    }

    @Test
    void ttlOverMaximumOrNegative_isRefused() {
        refused(Credentials.bearer("good"), Csrs.spiffe(Csrs.ecP256(), ID), Duration.ofDays(91).toSeconds(), Reason.INVALID_TTL, "over the maximum");
        refused(Credentials.bearer("good"), Csrs.spiffe(Csrs.ecP256(), ID), -1, Reason.INVALID_TTL, "negative");
    }

    @Test
    void missingOrMalformedOrUnknownToken_isRefused() {
        refused(new Credentials(null, List.of()), Csrs.spiffe(Csrs.ecP256(), ID), 0, Reason.MISSING_CREDENTIALS, "no credentials");
        refused(new Credentials("Basic abc", List.of()), Csrs.spiffe(Csrs.ecP256(), ID), 0, Reason.INVALID_TOKEN, "Bearer");
        refused(new Credentials("Bearer ", List.of()), Csrs.spiffe(Csrs.ecP256(), ID), 0, Reason.INVALID_TOKEN, "Bearer");
        refused(Credentials.bearer("forged"), Csrs.spiffe(Csrs.ecP256(), ID), 0, Reason.INVALID_TOKEN, "refused");
        assertThat(registry.get("citadel.server.csr").tags("reason", "invalid_token").counter().count()).isEqualTo(3);
    }

    @Test
    void beforeKeyMaterialIsLoaded_requestsAreUnavailable() {
        CurrentKeyMaterial empty = new CurrentKeyMaterial();
        CertificateAuthority notReady = new CertificateAuthority(
                new CallerAuthenticator(tokens, new ClientCertificateVerifier(empty, "cluster.local", clock)),
                signer, empty, settings, new CaMetrics(new SimpleMeterRegistry(), clock, empty::peek));
        assertThatThrownBy(() -> notReady.createCertificate(Credentials.bearer("good"), Csrs.spiffe(Csrs.ecP256(), ID), 0))
                .isInstanceOf(CaException.class).hasMessageContaining("not loaded");
        assertThat(signer.issuedCount()).isZero();
    }

    @Test
    void leafNeverOutlivesTheSigningCertificate() throws Exception {
        CaKeyMaterial shortLived = new SelfSignedRoot(clock).create("cluster.local", Duration.ofHours(2));
        material.set(shortLived);
        List<String> chain = ca.createCertificate(Credentials.bearer("good"), Csrs.spiffe(Csrs.ecP256(), ID), 0);
        X509Certificate leaf = Pem.certificates(chain.get(0), "leaf").get(0);
        assertThat(leaf.getNotAfter()).isEqualTo(shortLived.signingCert().getNotAfter());
    }

    private void refused(Credentials credentials, String csr, long ttl, Reason reason, String messagePart) {
        long before = signer.issuedCount();
        assertThatThrownBy(() -> ca.createCertificate(credentials, csr, ttl)).isInstanceOf(CaException.class)
                .satisfies(e -> assertThat(((CaException) e).reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
        assertThat(signer.issuedCount()).isEqualTo(before);
    }
}
