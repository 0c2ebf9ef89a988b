package dev.mesh.ca.grpc;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.pki.Certificates;
import dev.mesh.ca.pki.X509CertificateSigner;
import java.net.Socket;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import io.netty.handler.ssl.util.SimpleKeyManagerFactory;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * The gRPC server's own certificate, for the CA Service's DNS names, signed by the mesh CA and
 * kept in memory only. It is re-issued when the CA material changes and at half its life; the TLS
 * server reads the current one at each handshake, so no restart is needed.
 */
public final class ServingCertificate {

    static final Duration TTL = Duration.ofDays(30);
    private static final String ALIAS = "citadel-ca";

    private record Entry(PrivateKey key, X509Certificate[] chain) {
    }

    private final List<String> dnsNames;
    private final Clock clock;
    private final KeyPair keys = Certificates.ecKeyPair("secp256r1");
    private volatile Entry current;

    public ServingCertificate(List<String> dnsNames, Clock clock) {
        this.dnsNames = List.copyOf(dnsNames);
        this.clock = clock;
    }

    public void issue(CaKeyMaterial ca) {
        Instant now = clock.instant();
        Instant notAfter = now.plus(TTL);
        if (notAfter.isAfter(ca.signingCert().getNotAfter().toInstant())) {
            notAfter = ca.signingCert().getNotAfter().toInstant();
        }
        List<GeneralName> names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toList();
        X509Certificate leaf = Certificates.leafCertificate(keys.getPublic(), names, ca.signingCert(), ca.signingKey(),
                now.minus(X509CertificateSigner.CLOCK_SKEW), notAfter);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        chain.addAll(ca.chain());
        current = new Entry(keys.getPrivate(), chain.toArray(X509Certificate[]::new));
    }

    /** True when past half of the current certificate's life (or none yet). */
    public boolean dueForRenewal() {
        Entry entry = current;
        if (entry == null) {
            return true;
        }
        X509Certificate leaf = entry.chain()[0];
        long start = leaf.getNotBefore().getTime();
        long end = leaf.getNotAfter().getTime();
        return clock.millis() > start + (end - start) / 2;
    }

    /** A key manager factory whose key manager always serves the current certificate. */
    SimpleKeyManagerFactory keyManagerFactory() {
        KeyManager[] managers = {new CurrentKeyManager()};
        return new SimpleKeyManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore, char[] password) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {
            }

            @Override
            protected KeyManager[] engineGetKeyManagers() {
                return managers;
            }
        };
    }

    private final class CurrentKeyManager extends X509ExtendedKeyManager {

        private String alias(String keyType) {
            return current != null && keyType != null && keyType.equalsIgnoreCase(keys.getPrivate().getAlgorithm()) ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return alias(keyType);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return alias(keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = alias(keyType);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? current.chain().clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? current.key() : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
