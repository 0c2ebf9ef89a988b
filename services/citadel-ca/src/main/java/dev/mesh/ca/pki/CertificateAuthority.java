package dev.mesh.ca.pki;

import dev.mesh.ca.auth.CallerAuthenticator;
import dev.mesh.ca.auth.Credentials;
import dev.mesh.ca.metrics.CaMetrics;
import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.model.CaSettings;
import dev.mesh.ca.model.Identity;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Handles one certificate request end to end: who is calling, what the CSR asks for, whether the
 * caller may have it, then signing. Every refusal is a {@link CaException}; nothing is signed
 * unless every check passed.
 */
public final class CertificateAuthority {

    private static final Logger LOG = Logger.getLogger(CertificateAuthority.class);

    private final CallerAuthenticator authenticator;
    private final CsrInspector inspector = new CsrInspector();
    private final CertificateSigner signer;
    private final Supplier<CaKeyMaterial> material;
    private final CaSettings settings;
    private final CaMetrics metrics;

    public CertificateAuthority(CallerAuthenticator authenticator, CertificateSigner signer, Supplier<CaKeyMaterial> material,
            CaSettings settings, CaMetrics metrics) {
        this.authenticator = authenticator;
        this.signer = signer;
        this.material = material;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** The PEM chain for the request: the new certificate first, the root last. */
    public List<String> createCertificate(Credentials credentials, String csrPem, long validitySeconds) {
        try {
            long start = System.nanoTime();
            List<String> chain = create(credentials, csrPem, validitySeconds);
            metrics.issued(Duration.ofNanos(System.nanoTime() - start));
            return chain;
        } catch (CaException e) {
            metrics.refused(e.reason());
            throw e;
        } catch (RuntimeException e) {
            metrics.refused(Reason.SIGNING_FAILED);
            LOG.errorf(e, "certificate request failed unexpectedly");
            throw new CaException(Reason.SIGNING_FAILED, "the CA could not sign this request: internal error", e);
        }
    }

    private List<String> create(Credentials credentials, String csrPem, long validitySeconds) {
        Identity caller = authenticator.authenticate(credentials);
        Duration ttl = ttl(validitySeconds);
        if (!caller.trustDomain().equals(settings.trustDomain())) {
            throw new CaException(Reason.IDENTITY_MISMATCH, "caller " + caller + " is outside trust domain " + settings.trustDomain());
        }
        CsrInspector.InspectedCsr csr = inspector.inspect(csrPem);
        for (String uri : csr.uriSans()) {
            if (!uri.equals(caller.spiffeId())) {
                throw new CaException(Reason.IDENTITY_MISMATCH, "csr: asks for identity " + uri
                        + " but the caller is " + caller.spiffeId() + "; a workload may only request its own identity");
            }
        }
        CaKeyMaterial ca = material.get();
        X509Certificate certificate = signer.sign(csr.publicKey(), caller, ttl, ca);
        List<String> chain = new ArrayList<>(ca.chain().size() + 1);
        chain.add(Pem.encode(certificate));
        ca.chain().forEach(c -> chain.add(Pem.encode(c)));
        return chain;
    }

    private Duration ttl(long validitySeconds) {
        if (validitySeconds < 0) {
            throw new CaException(Reason.INVALID_TTL, "validity_duration: " + validitySeconds + " is negative; send seconds, or 0 for the default "
                    + settings.defaultTtl().toSeconds());
        }
        if (validitySeconds == 0) {
            return settings.defaultTtl();
        }
        if (validitySeconds > settings.maxTtl().toSeconds()) {
            throw new CaException(Reason.INVALID_TTL, "validity_duration: " + validitySeconds + " seconds is over the maximum of "
                    + settings.maxTtl().toSeconds() + " seconds");
        }
        return Duration.ofSeconds(validitySeconds);
    }
}
