package dev.mesh.ca.auth;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a caller presented: the {@code authorization} header (null if absent) and the certificate
 * chain of its TLS client certificate (empty if none).
 */
public record Credentials(String authorization, List<X509Certificate> peerChain) {

    public Credentials {
        peerChain = peerChain == null ? List.of() : List.copyOf(peerChain);
    }

    public static Credentials bearer(String token) {
        return new Credentials("Bearer " + token, List.of());
    }
}
