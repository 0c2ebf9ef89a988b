package dev.mesh.ca.model;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The CA's signing key and certificates.
 *
 * @param signingCert the certificate that signs workload certificates ({@code ca-cert.pem})
 * @param signingKey its private key ({@code ca-key.pem})
 * @param chain the signing certificate, any intermediates, and the root last; for a self-signed
 *     root this is just the root
 * @param source which Secret it came from, for logs
 */
public record CaKeyMaterial(X509Certificate signingCert, PrivateKey signingKey, List<X509Certificate> chain, String source) {

    public CaKeyMaterial {
        chain = List.copyOf(chain);
        if (chain.isEmpty() || !chain.get(0).equals(signingCert)) {
            throw new IllegalArgumentException("the chain must start with the signing certificate");
        }
    }

    public X509Certificate root() {
        return chain.get(chain.size() - 1);
    }
}
