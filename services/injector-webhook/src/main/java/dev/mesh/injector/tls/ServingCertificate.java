package dev.mesh.injector.tls;

import java.time.Duration;
import java.time.Instant;

/**
 * The webhook's TLS identity, all PEM: the serving certificate, its private key (PKCS#8), and the CA that
 * signed it, which goes into the MutatingWebhookConfiguration's {@code caBundle}.
 */
public record ServingCertificate(String certificatePem, String privateKeyPem, String caPem, Instant notBefore,
        Instant notAfter) {

    /** Replaced once two thirds of its lifetime have passed, leaving a third for retries. */
    public boolean dueForRotation(Instant now) {
        Duration lifetime = Duration.between(notBefore, notAfter);
        return !now.isBefore(notBefore.plus(lifetime.multipliedBy(2).dividedBy(3)));
    }
}
