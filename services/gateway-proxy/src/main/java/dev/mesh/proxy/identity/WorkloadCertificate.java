package dev.mesh.proxy.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What this proxy presents and trusts: its certificate chain (leaf first) with the private key made in this
 * process, and the mesh's root certificates its peers are verified against.
 */
public record WorkloadCertificate(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> roots) {

    public WorkloadCertificate {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a workload certificate needs at least its leaf certificate");
        }
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("a workload certificate needs at least one root to verify peers");
        }
        chain = List.copyOf(chain);
        roots = List.copyOf(roots);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** The leaf's SPIFFE id (its first URI SAN), or empty. */
    public String spiffeId() {
        List<String> uris = Pem.uriSans(leaf());
        return uris.isEmpty() ? "" : uris.get(0);
    }

    @Override
    public String toString() {
        return "WorkloadCertificate[" + spiffeId() + ", serial " + leaf().getSerialNumber().toString(16)
                + ", valid " + notBefore() + " .. " + notAfter() + "]";
    }
}
