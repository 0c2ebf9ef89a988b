package dev.mesh.proxy.testing;

import dev.mesh.proxy.identity.CsrFactory;
import dev.mesh.proxy.identity.Pem;
import dev.mesh.proxy.identity.WorkloadCertificate;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A CA for tests: a self-signed EC root that issues workload and server certificates on a given clock. */
public final class TestCa {

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

    private final KeyPair rootKey = CsrFactory.newKeyPair();
    private final X509Certificate root;
    private final Clock clock;

    public TestCa(String name, Clock clock) {
        this.clock = clock;
        try {
            X500Name subject = new X500Name("O=" + name + ",CN=Root CA");
            Instant now = Instant.now().isBefore(clock.instant()) ? Instant.now() : clock.instant();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject,
                    rootKey.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            root = sign(builder);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate root() {
        return root;
    }

    public String rootPem() {
        return Pem.encode(root);
    }

    /** Signs a PEM CSR the way a mesh CA does: the CSR's SANs, valid from now for {@code ttl}; leaf then root. */
    public List<String> signCsr(String csrPem, Duration ttl) {
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            PKCS10CertificationRequest csr = (PKCS10CertificationRequest) parser.readObject();
            GeneralNames sans = null;
            for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
                sans = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
            }
            if (sans == null) {
                throw new IllegalArgumentException("CSR without subject alternative names");
            }
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            return List.of(Pem.encode(leaf(key, sans, ttl)), rootPem());
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot sign CSR: " + e.getMessage(), e);
        }
    }

    /** A workload certificate for {@code spiffeId} with a fresh key, valid from now for {@code ttl}. */
    public WorkloadCertificate issue(String spiffeId, Duration ttl) {
        KeyPair key = CsrFactory.newKeyPair();
        X509Certificate leaf = leaf(key.getPublic(),
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)), ttl);
        return new WorkloadCertificate(List.of(leaf), key.getPrivate(), List.of(root));
    }

    /**
     * A server certificate for a DNS name (the CA's own serving certificate in tests), valid by the real clock a
     * day back and {@code ttl} ahead, since the client checking it (grpc-java) goes by the real clock.
     */
    public WorkloadCertificate issueServer(String dnsName, Duration ttl) {
        KeyPair key = CsrFactory.newKeyPair();
        X509Certificate leaf = leaf(key.getPublic(), new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)),
                Instant.now().minus(Duration.ofDays(1)), ttl);
        return new WorkloadCertificate(List.of(leaf), key.getPrivate(), List.of(root));
    }

    private X509Certificate leaf(PublicKey key, GeneralNames sans, Duration ttl) {
        return leaf(key, sans, clock.instant(), ttl);
    }

    private X509Certificate leaf(PublicKey key, GeneralNames sans, Instant now, Duration ttl) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(root, serial(), Date.from(now),
                    Date.from(now.plus(ttl)), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key);
            builder.addExtension(Extension.subjectAlternativeName, true, sans);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            return sign(builder);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private X509Certificate sign(X509v3CertificateBuilder builder) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(rootKey.getPrivate())));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }
}
