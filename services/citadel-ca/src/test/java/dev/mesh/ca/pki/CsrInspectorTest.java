package dev.mesh.ca.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.testing.Csrs;
import java.security.KeyPair;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

class CsrInspectorTest {

    private static final String ID = "spiffe://cluster.local/ns/demo/sa/podinfo";
    private final CsrInspector inspector = new CsrInspector();

    @Test
    void rsa2048AndEcdsaP256AndP384_areAccepted() {
        assertThat(inspector.inspect(Csrs.spiffe(Csrs.rsa2048(), ID)).uriSans()).containsExactly(ID);
        assertThat(inspector.inspect(Csrs.spiffe(Csrs.ecP256(), ID)).uriSans()).containsExactly(ID);
        KeyPair p384 = Certificates.ecKeyPair("secp384r1");
        assertThat(inspector.inspect(Csrs.csr(p384, "SHA384withECDSA", uri(ID))).uriSans()).containsExactly(ID);
    }

    @Test
    void rsa1024_isRefusedAsWeak() {
        refused(Csrs.spiffe(Certificates.rsaKeyPair(1024), ID), Reason.UNSUPPORTED_KEY, "RSA key of 1024 bits");
    }

    @Test
    void unsupportedCurves_areRefused() {
        refused(Csrs.csr(Certificates.ecKeyPair("secp521r1"), "SHA512withECDSA", uri(ID)), Reason.UNSUPPORTED_KEY, "use P-256 or P-384");
    }

    @Test
    void sha1Signature_isRefused() {
        refused(Csrs.csr(Csrs.rsa2048(), "SHA1withRSA", uri(ID)), Reason.UNSUPPORTED_KEY, "SHA-256 or stronger");
    }

    @Test
    void csrSignedByAnotherKey_isRefused() {
        // The request carries one key but is signed by another: the signer does not hold the key it asks a certificate for.
        String honest = Csrs.spiffe(Csrs.ecP256(), ID);
        String other = Csrs.spiffe(Csrs.ecP256(), ID);
        String spliced = Csrs.splice(honest, other);
        refused(spliced, Reason.BAD_CSR_SIGNATURE, "signature");
    }

    @Test
    void garbageAndEmptyAndWrongPemType_areRefusedAsMalformed() {
        refused("", Reason.MALFORMED_CSR, "empty");
        refused("hello", Reason.MALFORMED_CSR, "CERTIFICATE REQUEST");
        refused("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", Reason.MALFORMED_CSR, "csr:");
        refused("x".repeat(CsrInspector.MAX_CSR_CHARS + 1), Reason.MALFORMED_CSR, "characters");
    }

    @Test
    void everySingleBitFlip_isRefused() {
        for (KeyPair keys : List.of(Csrs.ecP256(), Csrs.rsa2048())) {
            byte[] der = Csrs.der(Csrs.spiffe(keys, ID));
            int accepted = 0;
            for (int bit = 0; bit < der.length * 8; bit++) {
                byte[] flipped = der.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                try {
                    inspector.inspect(Csrs.pem(flipped));
                    accepted++;
                } catch (CaException expected) {
                    // refused, as it must be
                }
            }
            assertThat(accepted).as(keys.getPublic().getAlgorithm() + " CSR with one bit flipped, accepted").isZero();
        }
    }

    @Test
    void berInsteadOfDer_isRefused() {
        // The SAN extension's critical flag as BOOLEAN 0x01 instead of DER's 0xFF: same meaning, other bytes.
        byte[] der = Csrs.der(Csrs.spiffe(Csrs.ecP256(), ID));
        boolean patched = false;
        for (int i = 0; i + 2 < der.length && !patched; i++) {
            if (der[i] == 0x01 && der[i + 1] == 0x01 && der[i + 2] == (byte) 0xFF) {
                der[i + 2] = 0x01;
                patched = true;
            }
        }
        assertThat(patched).isTrue();
        refused(Csrs.pem(der), Reason.MALFORMED_CSR, "not DER-encoded");
    }

    @Test
    void deeplyNestedAsn1_isRefusedAsMalformed() {
        // Indefinite-length SEQUENCEs nested as deep as the size limit allows.
        byte[] der = new byte[24_000];
        for (int i = 0; i < der.length; i += 2) {
            der[i] = 0x30;
            der[i + 1] = (byte) 0x80;
        }
        refused(Csrs.pem(der), Reason.MALFORMED_CSR, "csr:");
    }

    @Test
    void dnsSanOrNoSan_isRefused() {
        refused(Csrs.csr(Csrs.ecP256(), "SHA256withECDSA", List.of(new GeneralName(GeneralName.uniformResourceIdentifier, ID),
                new GeneralName(GeneralName.dNSName, "evil.example.com"))), Reason.MALFORMED_CSR, "evil.example.com");
        refused(Csrs.csr(Csrs.ecP256(), "SHA256withECDSA", List.of()), Reason.MALFORMED_CSR, "no SPIFFE URI");
    }

    /** {@code a}'s to-be-signed part with {@code b}'s signature. */
    private static List<GeneralName> uri(String id) {
        return List.of(new GeneralName(GeneralName.uniformResourceIdentifier, id));
    }

    private void refused(String csr, Reason reason, String messagePart) {
        assertThatThrownBy(() -> inspector.inspect(csr)).isInstanceOf(CaException.class)
                .satisfies(e -> assertThat(((CaException) e).reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }
}
