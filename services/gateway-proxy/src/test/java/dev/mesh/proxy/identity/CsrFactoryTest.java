package dev.mesh.proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class CsrFactoryTest {

    @Test
    void csr_carriesTheSpiffeIdAsOnlyCriticalUriSan_andIsSignedByTheKey() throws Exception {
        KeyPair key = CsrFactory.newKeyPair();
        assertThat(((ECPublicKey) key.getPublic()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        String pem = CsrFactory.csrPem(key, new WorkloadIdentity("cluster.local", "demo", "podinfo"));
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");

        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            csr = (PKCS10CertificationRequest) parser.readObject();
        }
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.getPublic()))).isTrue();
        assertThat(csr.getSubject().getRDNs()).isEmpty();
        Attribute[] requested = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        Extensions extensions = Extensions.getInstance(requested[0].getAttrValues().getObjectAt(0));
        assertThat(extensions.getExtension(Extension.subjectAlternativeName).isCritical()).isTrue();
        GeneralName[] names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName).getNames();
        assertThat(names).hasSize(1);
        assertThat(names[0].getTagNo()).isEqualTo(GeneralName.uniformResourceIdentifier);
        assertThat(names[0].getName().toString()).isEqualTo("spiffe://cluster.local/ns/demo/sa/podinfo");
    }

    @Test
    void everyKeyIsNew() {
        assertThat(CsrFactory.newKeyPair().getPublic()).isNotEqualTo(CsrFactory.newKeyPair().getPublic());
    }
}
