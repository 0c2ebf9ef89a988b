package dev.mesh.ca.pki;

import dev.mesh.ca.model.CaKeyMaterial;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CA Secrets' data, Istio's key names: {@code ca-cert.pem}, {@code ca-key.pem},
 * {@code cert-chain.pem}, {@code root-cert.pem}. Reading checks that the key belongs to the
 * certificate, that the certificate may sign, and that the chain links up to the root.
 */
public final class KeyMaterialCodec {

    public static final String CA_CERT = "ca-cert.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final String CERT_CHAIN = "cert-chain.pem";
    public static final String ROOT_CERT = "root-cert.pem";

    private KeyMaterialCodec() {
    }

    /** Secret {@code data} (base64 values) for self-signed material. */
    public static Map<String, String> encode(CaKeyMaterial material) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CA_CERT, base64(Pem.encode(material.signingCert())));
        data.put(CA_KEY, base64(Pem.encode(material.signingKey())));
        data.put(CERT_CHAIN, base64(Pem.encodeAll(material.chain().subList(0, material.chain().size() - 1))));
        data.put(ROOT_CERT, base64(Pem.encode(material.root())));
        return data;
    }

    /**
     * Key material from Secret {@code data} (base64 values).
     *
     * @throws IllegalArgumentException naming the Secret and key when anything is missing or wrong
     */
    public static CaKeyMaterial decode(String secretName, Map<String, String> data) {
        Map<String, String> pem = new LinkedHashMap<>();
        if (data != null) {
            data.forEach((key, value) -> pem.put(key, decodeBase64(secretName, key, value)));
        }
        String what = "Secret " + secretName;
        X509Certificate caCert = Pem.certificates(required(what, pem, CA_CERT), what + " key " + CA_CERT).get(0);
        PrivateKey caKey = Pem.privateKey(required(what, pem, CA_KEY), what + " key " + CA_KEY);
        checkKeyMatches(what, caCert, caKey);
        if (caCert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(what + " key " + CA_CERT + ": " + caCert.getSubjectX500Principal()
                    + " is not a CA certificate (basicConstraints CA:TRUE missing)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(caCert);
        String chainPem = pem.getOrDefault(CERT_CHAIN, "");
        if (!chainPem.isBlank()) {
            for (X509Certificate certificate : Pem.certificates(chainPem, what + " key " + CERT_CHAIN)) {
                if (!certificate.equals(caCert)) {
                    chain.add(certificate);
                }
            }
        }
        String rootPem = pem.getOrDefault(ROOT_CERT, "");
        X509Certificate root = rootPem.isBlank() ? chain.get(chain.size() - 1)
                : Pem.certificates(rootPem, what + " key " + ROOT_CERT).get(0);
        if (!chain.get(chain.size() - 1).equals(root)) {
            chain.add(root);
        }
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : chain.get(i);
            try {
                chain.get(i).verify(issuer.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(what + ": " + chain.get(i).getSubjectX500Principal()
                        + " is not signed by " + issuer.getSubjectX500Principal()
                        + (i + 1 < chain.size() ? "; " + CERT_CHAIN + " must go from " + CA_CERT + " up to " + ROOT_CERT
                                : "; " + ROOT_CERT + " must be self-signed"), e);
            }
        }
        return new CaKeyMaterial(caCert, caKey, chain, secretName);
    }

    private static void checkKeyMatches(String what, X509Certificate cert, PrivateKey key) {
        byte[] probe = "citadel-ca key check".getBytes(StandardCharsets.UTF_8);
        try {
            String algorithm = Certificates.signatureAlgorithm(key);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + ": " + CA_KEY + " cannot sign for " + CA_CERT + " (" + e.getMessage() + ")", e);
        }
        throw new IllegalArgumentException(what + ": " + CA_KEY + " is not the private key of " + CA_CERT);
    }

    private static String required(String what, Map<String, String> pem, String key) {
        String value = pem.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + ": key " + key + " is missing or empty");
        }
        return value;
    }

    private static String decodeBase64(String secretName, String key, String value) {
        try {
            return new String(Base64.getDecoder().decode(value == null ? "" : value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Secret " + secretName + " key " + key + ": not base64 (" + e.getMessage() + ")", e);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
