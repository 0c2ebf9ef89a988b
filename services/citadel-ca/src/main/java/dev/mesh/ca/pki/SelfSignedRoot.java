package dev.mesh.ca.pki;

import dev.mesh.ca.model.CaKeyMaterial;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** Makes a new self-signed mesh root (RSA 2048, organisation = trust domain, as Istio's). */
public final class SelfSignedRoot {

    private final Clock clock;

    public SelfSignedRoot(Clock clock) {
        this.clock = clock;
    }

    public CaKeyMaterial create(String trustDomain, Duration ttl) {
        KeyPair keys = Certificates.rsaKeyPair(2048);
        Instant now = clock.instant();
        X509Certificate root = Certificates.caCertificate(
                new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, trustDomain).build(),
                keys, null, null, now.minus(X509CertificateSigner.CLOCK_SKEW), now.plus(ttl), -1);
        return new CaKeyMaterial(root, keys.getPrivate(), List.of(root), "istio-ca-secret");
    }
}
