package dev.mesh.ca.testing;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.pki.Certificates;
import dev.mesh.ca.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;

/** CA hierarchies made in tests, and the {@code cacerts} Secret an operator would plug in. */
public final class TestCas {

    private TestCas() {
    }

    public record Plugged(CaKeyMaterial material, X509Certificate root, X509Certificate intermediate, KeyPair intermediateKeys) {

        /** Secret data as an operator creates {@code cacerts} (base64 values). */
        public Map<String, String> secretData() {
            return Map.of(
                    "ca-cert.pem", b64(Pem.encode(intermediate)),
                    "ca-key.pem", b64(Pem.encode(intermediateKeys.getPrivate())),
                    "cert-chain.pem", b64(Pem.encode(intermediate) + Pem.encode(root)),
                    "root-cert.pem", b64(Pem.encode(root)));
        }
    }

    /** A root (RSA 2048) and an intermediate (ECDSA P-256) signed by it, valid from {@code now}. */
    public static Plugged rootAndIntermediate(Instant now) {
        KeyPair rootKeys = Certificates.rsaKeyPair(2048);
        X509Certificate root = Certificates.caCertificate(new X500Name("O=Plugged Root CA"), rootKeys, null, null,
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(3650)), -1);
        KeyPair intermediateKeys = Certificates.ecKeyPair("secp256r1");
        X509Certificate intermediate = Certificates.caCertificate(new X500Name("O=Plugged Intermediate CA"), intermediateKeys, root,
                rootKeys.getPrivate(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)), 0);
        return new Plugged(new CaKeyMaterial(intermediate, intermediateKeys.getPrivate(), List.of(intermediate, root), "cacerts"),
                root, intermediate, intermediateKeys);
    }

    public static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
