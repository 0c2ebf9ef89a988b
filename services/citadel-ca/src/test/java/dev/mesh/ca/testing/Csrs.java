package dev.mesh.ca.testing;

import dev.mesh.ca.pki.Certificates;
import dev.mesh.ca.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Certificate signing requests as a workload would send them, and deliberately broken ones. */
public final class Csrs {

    private Csrs() {
    }

    public static KeyPair rsa2048() {
        return Certificates.rsaKeyPair(2048);
    }

    public static KeyPair ecP256() {
        return Certificates.ecKeyPair("secp256r1");
    }

    /** A PEM CSR for {@code keys} asking for the given SANs, signed with {@code signatureAlgorithm}. */
    public static String csr(KeyPair keys, String signatureAlgorithm, List<GeneralName> sans) {
        try {
            JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(new X500Name("O=cluster.local"), keys.getPublic());
            if (!sans.isEmpty()) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(sans.toArray(GeneralName[]::new)));
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            PKCS10CertificationRequest csr = builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate()));
            return Pem.encode(csr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The usual request: one SPIFFE URI SAN, SHA-256 signature matching the key type. */
    public static String spiffe(KeyPair keys, String spiffeId) {
        String algorithm = keys.getPublic().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return csr(keys, algorithm, List.of(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)));
    }

    /** {@code a}'s to-be-signed part with {@code b}'s signature: a request not signed by the key it carries. */
    public static String splice(String a, String b) {
        try {
            PKCS10CertificationRequest csrA = new PKCS10CertificationRequest(der(a));
            PKCS10CertificationRequest csrB = new PKCS10CertificationRequest(der(b));
            return Pem.encode(new PKCS10CertificationRequest(new org.bouncycastle.asn1.pkcs.CertificationRequest(
                    csrA.toASN1Structure().getCertificationRequestInfo(), csrA.getSignatureAlgorithm(),
                    csrB.toASN1Structure().getSignature())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The DER bytes inside a PEM block. */
    public static byte[] der(String pem) {
        return java.util.Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    }

    /** DER bytes as a PEM CERTIFICATE REQUEST block. */
    public static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }
}
