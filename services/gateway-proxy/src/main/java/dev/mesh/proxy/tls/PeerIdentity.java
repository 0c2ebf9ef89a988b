package dev.mesh.proxy.tls;

import dev.mesh.proxy.identity.Pem;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is on the other side of a mutual TLS connection, from its verified certificate: the SPIFFE id (Istio's
 * {@code source_principal}), the principal RBAC matches, and the certificate hash XFCC carries.
 */
public record PeerIdentity(X509Certificate certificate) {

    /** The peer of a TLS session, if it presented a certificate. */
    public static Optional<PeerIdentity> of(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(new PeerIdentity(leaf))
                    : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** The first URI SAN ({@code spiffe://cluster.local/ns/demo/sa/sleep}), or empty. */
    public String uri() {
        List<String> uris = Pem.uriSans(certificate);
        return uris.isEmpty() ? "" : uris.get(0);
    }

    /**
     * The name Envoy's RBAC {@code authenticated.principal_name} matches: the URI SAN, else the first DNS SAN,
     * else the subject.
     */
    public String principalName() {
        String uri = uri();
        if (!uri.isEmpty()) {
            return uri;
        }
        List<String> dns = Pem.dnsSans(certificate);
        return dns.isEmpty() ? certificate.getSubjectX500Principal().getName() : dns.get(0);
    }

    /** Lower-case hex SHA-256 of the certificate's DER encoding. */
    public String sha256Hex() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot hash the peer certificate", e);
        }
    }
}
