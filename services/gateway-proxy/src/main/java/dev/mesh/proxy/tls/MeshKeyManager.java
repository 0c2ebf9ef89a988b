package dev.mesh.proxy.tls;

import dev.mesh.proxy.identity.WorkloadCertificate;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the current certificate, asked for on every handshake: after a rotation the next handshake uses the
 * new one, connections already established keep theirs. The alias names one certificate (by serial), so that
 * a handshake that chose its alias just before a rotation still gets a matching chain and key.
 */
public final class MeshKeyManager extends X509ExtendedKeyManager {

    private static final int KEPT = 4;

    private final Supplier<WorkloadCertificate> current;
    /** The last few certificates presented, by alias, oldest first. */
    private final Map<String, WorkloadCertificate> recent = Collections.synchronizedMap(
            new LinkedHashMap<>(8, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, WorkloadCertificate> eldest) {
                    return size() > KEPT;
                }
            });

    /** @param current the certificate to present now, or null when there is none yet */
    public MeshKeyManager(Supplier<WorkloadCertificate> current) {
        this.current = current;
    }

    private String alias(String keyType) {
        WorkloadCertificate certificate = current.get();
        if (certificate == null || (keyType != null && !keyType.startsWith(certificate.key().getAlgorithm()))) {
            return null;
        }
        String alias = "mesh-" + certificate.leaf().getSerialNumber().toString(16);
        recent.putIfAbsent(alias, certificate);
        return alias;
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
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseClientAlias(keyTypes, issuers, null);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        for (String keyType : keyTypes) {
            String alias = alias(keyType);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = alias(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        WorkloadCertificate certificate = recent.get(alias);
        return certificate == null ? null : certificate.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        WorkloadCertificate certificate = recent.get(alias);
        return certificate == null ? null : certificate.key();
    }
}
