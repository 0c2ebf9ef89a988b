package dev.mesh.injector.tls;

import dev.mesh.injector.kube.CaBundlePublisher;
import java.time.Clock;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Keeps a fresh serving certificate: issues one when there is none or when the current one is due
 * ({@link ServingCertificate#dueForRotation}), hands it to the server, and publishes the CA as caBundle. Called
 * at start and then periodically, from one thread at a time.
 */
public final class CertificateRotator {

    private static final Logger LOG = Logger.getLogger(CertificateRotator.class);

    private final CertificateIssuer issuer;
    private final Clock clock;
    private final CaBundlePublisher publisher;
    private volatile ServingCertificate current;

    public CertificateRotator(CertificateIssuer issuer, Clock clock, CaBundlePublisher publisher) {
        this.issuer = issuer;
        this.clock = clock;
        this.publisher = publisher;
    }

    /** The certificate in use, or null before the first {@link #rotateIfDue}. */
    public ServingCertificate current() {
        return current;
    }

    /**
     * Replaces the certificate if it is due, giving the new one to {@code install} before publishing the CA.
     *
     * @return true if a new certificate was issued
     */
    public synchronized boolean rotateIfDue(Consumer<ServingCertificate> install) {
        ServingCertificate now = current;
        if (now != null && !now.dueForRotation(clock.instant())) {
            return false;
        }
        ServingCertificate next = issuer.issue();
        install.accept(next);
        current = next;
        publisher.publish(next.caPem());
        LOG.infof("serving certificate %s, valid until %s", now == null ? "issued" : "rotated", next.notAfter());
        return true;
    }
}
