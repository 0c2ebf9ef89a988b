package dev.mesh.proxy.identity;

import java.time.Duration;
import java.util.List;

/** Where signed certificates come from: the CA's {@code CreateCertificate}, or a fake in tests. */
public interface CertificateSource {

    /**
     * Has the CSR signed.
     *
     * @return the PEM certificates, leaf first (the root may be last)
     * @throws CaRequestException when the CA cannot be reached or refuses; {@link CaRequestException#unreachable()}
     *                            tells which
     */
    List<String> sign(String csrPem, Duration ttl) throws CaRequestException;

    /** A failed certificate request: the CA unreachable (retry as usual) or the CA saying no (worth a loud log). */
    final class CaRequestException extends Exception {
        private final boolean unreachable;

        public CaRequestException(String message, boolean unreachable, Throwable cause) {
            super(message, cause);
            this.unreachable = unreachable;
        }

        public boolean unreachable() {
            return unreachable;
        }
    }
}
