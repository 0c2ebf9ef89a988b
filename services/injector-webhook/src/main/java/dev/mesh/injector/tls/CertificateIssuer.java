package dev.mesh.injector.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's own small CA: a self-signed root ({@link #newCa}, kept in a {@link CaStore} so that all replicas
 * share it), and serving certificates for the webhook's Service names signed by it. The API server trusts the root through the caBundle, so no cluster CA
 * or cert-manager is needed.
 */
public final class CertificateIssuer {

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration validity;
    private final List<String> dnsNames;
    private final KeyPair caKey;
    private final X509Certificate caCert;

    /**
     * @param ca       the CA to sign with (see {@link #newCa})
     * @param dnsNames the serving certificate's subject alternative names; the first is also its common name
     * @throws IllegalArgumentException if the CA's PEM does not parse
     */
    public CertificateIssuer(Clock clock, Duration validity, CaMaterial ca, List<String> dnsNames) {
        this.clock = clock;
        this.validity = validity;
        this.dnsNames = List.copyOf(dnsNames);
        try {
            caCert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(ca.certificatePem().getBytes(StandardCharsets.US_ASCII)));
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(ca.privateKeyPem())));
            caKey = new KeyPair(caCert.getPublicKey(), key);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the webhook CA does not parse: " + e.getMessage(), e);
        }
    }

    /** A new self-signed CA for ten years (its lifetime bounds nothing else: serving certificates rotate). */
    public static CaMaterial newCa(Clock clock) {
        try {
            KeyPair key = rsa();
            Instant now = clock.instant();
            X500Principal name = new X500Principal("CN=injector-webhook-ca,O=mesh");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), name, key.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key.getPublic()));
            X509Certificate cert = sign(b, key.getPrivate());
            return new CaMaterial(pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", key.getPrivate().getEncoded()));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the webhook's CA", e);
        }
    }

    private static byte[] der(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    /** The webhook's Service names: {@code svc}, {@code svc.ns}, {@code svc.ns.svc}, {@code svc.ns.svc.cluster.local}. */
    public static List<String> serviceNames(String service, String namespace) {
        return List.of(service + "." + namespace + ".svc", service, service + "." + namespace,
                service + "." + namespace + ".svc.cluster.local");
    }

    /** A new key and serving certificate, valid from now for the configured lifetime. */
    public ServingCertificate issue() {
        try {
            KeyPair key = rsa();
            Instant now = clock.instant();
            Instant notAfter = now.plus(validity);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(now),
                    Date.from(notAfter), new X500Principal("CN=" + dnsNames.get(0)), key.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                    dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            X509Certificate cert = sign(b, caKey.getPrivate());
            return new ServingCertificate(pem("CERTIFICATE", cert.getEncoded()),
                    pem("PRIVATE KEY", key.getPrivate().getEncoded()), pem("CERTIFICATE", caCert.getEncoded()),
                    now, notAfter);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue the webhook's serving certificate", e);
        }
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
