package dev.mesh.ca.pki;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.model.Identity;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Signs SPIFFE workload certificates: the identity's URI as the only SAN, server and client auth,
 * valid from a little before now (for clocks that run behind ours) until now + ttl, never past the
 * signing certificate's own expiry.
 */
public final class X509CertificateSigner implements CertificateSigner {

    /** How far notBefore is backdated, for verifiers whose clocks are behind. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final Clock clock;
    private final AtomicLong issued = new AtomicLong();

    public X509CertificateSigner(Clock clock) {
        this.clock = clock;
    }

    @Override
    public X509Certificate sign(PublicKey subjectKey, Identity identity, Duration ttl, CaKeyMaterial ca) {
        Instant now = clock.instant();
        Instant notAfter = now.plus(ttl);
        Instant caNotAfter = ca.signingCert().getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        X509Certificate certificate = Certificates.leafCertificate(subjectKey,
                List.of(new GeneralName(GeneralName.uniformResourceIdentifier, identity.spiffeId())),
                ca.signingCert(), ca.signingKey(), now.minus(CLOCK_SKEW), notAfter);
        issued.incrementAndGet();
        return certificate;
    }

    /** How many certificates this signer has issued since it was made. */
    public long issuedCount() {
        return issued.get();
    }
}
