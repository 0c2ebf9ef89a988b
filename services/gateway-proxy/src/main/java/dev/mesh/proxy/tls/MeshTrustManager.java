package dev.mesh.proxy.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a TLS peer as Envoy does for a validation context: its chain must lead to one of the trusted roots
 * (asked for on every handshake, so a rotated root applies to the next handshake) and its SANs must pass the
 * {@link SanPolicy}. No host name check: mesh peers are identified by SPIFFE id, not by the name dialled.
 */
public final class MeshTrustManager extends X509ExtendedTrustManager {

    private final Supplier<List<X509Certificate>> roots;
    private final SanPolicy sans;
    private final Clock clock;

    public MeshTrustManager(Supplier<List<X509Certificate>> roots, SanPolicy sans, Clock clock) {
        this.roots = roots;
        this.sans = sans;
        this.clock = clock;
    }

    public void verify(X509Certificate[] chain, String role) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException(role + " presented no certificate");
        }
        List<X509Certificate> trusted = roots.get();
        if (trusted.isEmpty()) {
            throw new CertificateException("no trusted root yet to verify the " + role + " against");
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            trusted.forEach(r -> anchors.add(new TrustAnchor(r, null)));
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            // The path excludes a root the peer may have sent along: the anchor stands for it.
            List<X509Certificate> path = Arrays.stream(chain).filter(c -> !trusted.contains(c)).toList();
            if (path.isEmpty()) {
                throw new CertificateException(role + " presented only a root certificate");
            }
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
        } catch (CertificateException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new CertificateException(role + " certificate (" + SanPolicy.describe(chain[0])
                    + ") is not trusted: " + e.getMessage(), e);
        }
        if (!sans.accepts(chain[0])) {
            throw new CertificateException(role + " certificate (" + SanPolicy.describe(chain[0])
                    + ") matches none of the expected subject alternative names " + sans.rules());
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, "server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return roots.get().toArray(X509Certificate[]::new);
    }
}
