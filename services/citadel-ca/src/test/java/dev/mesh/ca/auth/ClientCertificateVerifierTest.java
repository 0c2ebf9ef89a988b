package dev.mesh.ca.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.model.Identity;
import dev.mesh.ca.pki.CurrentKeyMaterial;
import dev.mesh.ca.pki.SelfSignedRoot;
import dev.mesh.ca.pki.X509CertificateSigner;
import dev.mesh.ca.testing.Csrs;
import dev.mesh.ca.testing.MutableClock;
import dev.mesh.ca.testing.TestCas;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientCertificateVerifierTest {

    private final MutableClock clock = MutableClock.ofNow();
    private final CurrentKeyMaterial material = new CurrentKeyMaterial();
    private final X509CertificateSigner signer = new X509CertificateSigner(clock);
    private final ClientCertificateVerifier verifier = new ClientCertificateVerifier(material, "cluster.local", clock);
    private final Identity podinfo = new Identity("cluster.local", "demo", "podinfo");

    ClientCertificateVerifierTest() {
        material.set(new SelfSignedRoot(clock).create("cluster.local", Duration.ofDays(3650)));
    }

    @Test
    void currentMeshCertificate_provesItsIdentity() {
        X509Certificate leaf = signer.sign(Csrs.ecP256().getPublic(), podinfo, Duration.ofHours(24), material.get());
        assertThat(verifier.verify(List.of(leaf))).isEqualTo(podinfo);
    }

    @Test
    void certificateUnderPluggedIntermediate_verifiesWithOrWithoutTheIntermediateSent() {
        TestCas.Plugged plugged = TestCas.rootAndIntermediate(clock.instant());
        material.set(plugged.material());
        X509Certificate leaf = signer.sign(Csrs.ecP256().getPublic(), podinfo, Duration.ofHours(24), plugged.material());
        assertThat(verifier.verify(List.of(leaf))).isEqualTo(podinfo);
        assertThat(verifier.verify(List.of(leaf, plugged.intermediate()))).isEqualTo(podinfo);
    }

    @Test
    void expiredCertificate_isRefused() {
        X509Certificate leaf = signer.sign(Csrs.ecP256().getPublic(), podinfo, Duration.ofHours(1), material.get());
        clock.advance(Duration.ofHours(2));
        refused(List.of(leaf), "expired");
    }

    @Test
    void certificateFromAnotherRoot_isRefused() {
        CaKeyMaterial other = new SelfSignedRoot(clock).create("cluster.local", Duration.ofDays(10));
        X509Certificate leaf = signer.sign(Csrs.ecP256().getPublic(), podinfo, Duration.ofHours(1), other);
        refused(List.of(leaf, other.root()), "does not chain to the mesh root");
    }

    @Test
    void certificateOfAnotherTrustDomain_isRefused() {
        X509Certificate leaf = signer.sign(Csrs.ecP256().getPublic(), new Identity("evil.local", "demo", "podinfo"),
                Duration.ofHours(1), material.get());
        refused(List.of(leaf), "trust domain evil.local");
    }

    @Test
    void theRootItself_isNotAWorkloadCertificate() {
        refused(List.of(material.get().root()), "CA certificate");
    }

    private void refused(List<X509Certificate> chain, String messagePart) {
        assertThatThrownBy(() -> verifier.verify(chain)).isInstanceOf(CaException.class)
                .satisfies(e -> assertThat(((CaException) e).reason()).isEqualTo(Reason.INVALID_CLIENT_CERTIFICATE))
                .hasMessageContaining(messagePart);
    }
}
