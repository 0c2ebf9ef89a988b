package dev.mesh.ca.auth;

import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.model.Identity;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Authenticates a renewal: the caller's TLS client certificate must be a mesh workload certificate
 * that chains to the current root and is valid now; its SPIFFE URI SAN is the caller's identity.
 * The TLS handshake has already proved the caller holds the certificate's private key.
 */
public final class ClientCertificateVerifier {

    private static final int MAX_DEPTH = 10;
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final Supplier<CaKeyMaterial> material;
    private final String trustDomain;
    private final Clock clock;

    public ClientCertificateVerifier(Supplier<CaKeyMaterial> material, String trustDomain, Clock clock) {
        this.material = material;
        this.trustDomain = trustDomain;
        this.clock = clock;
    }

    public Identity verify(List<X509Certificate> peerChain) {
        X509Certificate leaf = peerChain.get(0);
        CaKeyMaterial ca = material.get();
        Date now = Date.from(clock.instant());
        checkValid(leaf, now, "client certificate");
        if (leaf.getBasicConstraints() >= 0) {
            throw refused("it is a CA certificate, not a workload certificate");
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(CLIENT_AUTH)) {
                throw refused("it is not valid for client authentication (extended key usage)");
            }
        } catch (CertificateParsingException e) {
            throw refused("its extended key usage cannot be read");
        }
        List<X509Certificate> candidates = new ArrayList<>(peerChain.subList(1, peerChain.size()));
        candidates.addAll(ca.chain());
        X509Certificate current = leaf;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            X509Certificate issuer = issuerOf(current, candidates)
                    .orElseThrow(() -> refused("it does not chain to the mesh root " + ca.root().getSubjectX500Principal()));
            checkValid(issuer, now, "issuer " + issuer.getSubjectX500Principal());
            if (issuer.getBasicConstraints() < 0) {
                throw refused("its issuer " + issuer.getSubjectX500Principal() + " is not a CA");
            }
            if (issuer.equals(ca.root())) {
                return identity(leaf);
            }
            current = issuer;
        }
        throw refused("its chain is longer than " + MAX_DEPTH);
    }

    private static Optional<X509Certificate> issuerOf(X509Certificate certificate, List<X509Certificate> candidates) {
        for (X509Certificate candidate : candidates) {
            if (candidate.equals(certificate) || !candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                continue;
            }
            try {
                certificate.verify(candidate.getPublicKey());
                return Optional.of(candidate);
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this one; another candidate with the same name may be the issuer
            }
        }
        return Optional.empty();
    }

    private Identity identity(X509Certificate leaf) {
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (Integer.valueOf(6).equals(name.get(0))) {
                        uris.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw refused("its subject alternative names cannot be read");
        }
        if (uris.size() != 1) {
            throw refused("it carries " + uris.size() + " URI SANs, expected exactly one SPIFFE ID");
        }
        Identity identity = Identity.fromSpiffeId(uris.get(0))
                .orElseThrow(() -> refused("its URI SAN " + uris.get(0) + " is not spiffe://<trust-domain>/ns/<ns>/sa/<sa>"));
        if (!identity.trustDomain().equals(trustDomain)) {
            throw refused("its trust domain " + identity.trustDomain() + " is not this mesh's " + trustDomain);
        }
        return identity;
    }

    private static void checkValid(X509Certificate certificate, Date now, String what) {
        if (now.before(certificate.getNotBefore())) {
            throw refused(what + " is not valid before " + certificate.getNotBefore().toInstant());
        }
        if (now.after(certificate.getNotAfter())) {
            throw refused(what + " expired at " + certificate.getNotAfter().toInstant());
        }
    }

    private static CaException refused(String why) {
        return new CaException(Reason.INVALID_CLIENT_CERTIFICATE, "client certificate refused: " + why);
    }
}
