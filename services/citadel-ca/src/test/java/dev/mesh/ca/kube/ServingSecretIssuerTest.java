package dev.mesh.ca.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.pki.Pem;
import dev.mesh.ca.pki.SelfSignedRoot;
import dev.mesh.ca.testing.MockApiServer;
import dev.mesh.ca.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServingSecretIssuerTest {

    private static final String NS = "istio-system";
    private static final List<String> NAMES = List.of("config-distributor.istio-system.svc",
            "config-distributor.istio-system.svc.cluster.local");

    private final MutableClock clock = MutableClock.ofNow();
    private final MockApiServer api = new MockApiServer();
    private final KubernetesClient client = api.server().createClient();
    private final SelfSignedRoot roots = new SelfSignedRoot(clock);

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private ServingSecretIssuer issuer(List<String> names) {
        return new ServingSecretIssuer(client, NS, "config-distributor-tls", names, clock);
    }

    private CaKeyMaterial ca() {
        return roots.create("cluster.local", Duration.ofDays(3650));
    }

    private Secret secret() {
        return client.secrets().inNamespace(NS).withName("config-distributor-tls").get();
    }

    private static String data(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    @Test
    void missingSecret_isWrittenWithALeafForTheNamesSignedByTheCaAndItsKey() throws Exception {
        CaKeyMaterial ca = ca();

        assertThat(issuer(NAMES).ensure(ca)).isTrue();

        Secret secret = secret();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        List<X509Certificate> chain = Pem.certificates(data(secret, "tls.crt"), "tls.crt");
        X509Certificate leaf = chain.get(0);
        leaf.verify(ca.signingCert().getPublicKey());
        assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)).toList()).isEqualTo(NAMES);
        assertThat(chain.get(chain.size() - 1)).isEqualTo(ca.root());
        assertThat(data(secret, "ca.crt").strip()).isEqualTo(Pem.encode(ca.root()).strip());
        // The key in the Secret is the leaf's: a signature made with it verifies with the leaf's public key.
        PrivateKey key = Pem.privateKey(data(secret, "tls.key"), "tls.key");
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void goodSecret_isLeftAlone_untilPastHalfItsLife() {
        CaKeyMaterial ca = ca();
        issuer(NAMES).ensure(ca);
        String first = secret().getData().get("tls.crt");

        assertThat(issuer(NAMES).ensure(ca)).isFalse();
        clock.advance(ServingSecretIssuer.TTL.dividedBy(2).plusHours(1));

        assertThat(issuer(NAMES).ensure(ca)).isTrue();
        assertThat(secret().getData().get("tls.crt")).isNotEqualTo(first);
    }

    @Test
    void newRoot_orNewNames_reissue() {
        issuer(NAMES).ensure(ca());
        CaKeyMaterial other = ca();

        assertThat(issuer(NAMES).ensure(other)).isTrue();
        assertThat(data(secret(), "ca.crt").strip()).isEqualTo(Pem.encode(other.root()).strip());

        assertThat(issuer(List.of("xds.example.org")).ensure(other)).isTrue();
    }

    @Test
    void replicasTogether_leaveOneValidSecret() throws Exception {
        CaKeyMaterial ca = ca();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var results = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> issuer(NAMES).ensure(ca)));
            }
            for (var r : results) {
                r.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(issuer(NAMES).dueReason(secret(), ca)).isNull();
    }
}
