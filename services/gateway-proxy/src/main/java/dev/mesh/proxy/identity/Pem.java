package dev.mesh.proxy.identity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/** PEM in and out, and the SANs of a certificate; JDK only. */
public final class Pem {

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    private Pem() {
    }

    /**
     * Every certificate in a PEM text, in order.
     *
     * @param source names the input in the error (a file, "the CA's answer")
     */
    public static List<X509Certificate> certificates(String pem, String source) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Collection<? extends java.security.cert.Certificate> parsed = factory
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> out = new ArrayList<>();
            for (var c : parsed) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(source + " holds no PEM certificate");
            }
            return List.copyOf(out);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(source + " is not valid PEM certificates: " + e.getMessage(), e);
        }
    }

    public static String encode(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate " + certificate.getSubjectX500Principal() + " cannot be encoded", e);
        }
    }

    public static String encode(List<X509Certificate> certificates) {
        StringBuilder out = new StringBuilder();
        certificates.forEach(c -> out.append(encode(c)));
        return out.toString();
    }

    /** PKCS#8 {@code PRIVATE KEY}: only for handing the key to an in-process TLS engine that wants PEM. */
    public static String encode(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The URI SANs of a certificate (SPIFFE ids for mesh certificates). */
    public static List<String> uriSans(X509Certificate certificate) {
        return sans(certificate, SAN_URI);
    }

    public static List<String> dnsSans(X509Certificate certificate) {
        return sans(certificate, SAN_DNS);
    }

    private static List<String> sans(X509Certificate certificate, int type) {
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            if (all == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (List<?> san : all) {
                if (san.size() >= 2 && Integer.valueOf(type).equals(san.get(0)) && san.get(1) instanceof String s) {
                    out.add(s);
                }
            }
            return List.copyOf(out);
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal()
                    + " has unreadable subject alternative names: " + e.getMessage(), e);
        }
    }
}
