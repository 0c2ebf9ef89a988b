package dev.mesh.distributor.grpc;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * The credentials of the xDS server over mutual TLS (15012), as istiod's: the distributor's own
 * serving certificate and key, and client certificates required, chained to the mesh root and
 * carrying a SPIFFE URI of the mesh's trust domain. All three are PEM files (for instance a
 * mounted Secret); they are read again every {@code reload} so a renewed certificate or a new root
 * takes effect without a restart.
 */
public final class XdsTls implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(XdsTls.class);

    private static final int URI_SAN = 6;

    private final ServerCredentials credentials;
    private final List<AutoCloseable> reloads;

    private XdsTls(ServerCredentials credentials, List<AutoCloseable> reloads) {
        this.credentials = credentials;
        this.reloads = reloads;
    }

    /**
     * Loads the files once (failing with a message naming the file when one is missing or bad) and
     * re-reads them every {@code reload} on {@code executor}.
     */
    public static XdsTls fromFiles(Path certFile, Path keyFile, Path rootFile, String trustDomain, Duration reload,
            ScheduledExecutorService executor) {
        for (Path p : List.of(certFile, keyFile, rootFile)) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("xDS over mTLS: cannot read " + p);
            }
        }
        try {
            AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
            AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .setSslSocketAndEnginePeerVerifier(new TrustDomainVerifier(trustDomain))
                    .build();
            Reloader reloader = new Reloader(certFile, keyFile, rootFile, keys, trust);
            reloader.load();
            // grpc-util's own file watching polls no faster than once a minute; this reads on our schedule
            ScheduledFuture<?> task = executor.scheduleWithFixedDelay(reloader::reloadIfChanged, reload.toMillis(),
                    reload.toMillis(), TimeUnit.MILLISECONDS);
            ServerCredentials credentials = TlsServerCredentials.newBuilder().keyManager(keys).trustManager(trust)
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
            return new XdsTls(credentials, List.of(() -> task.cancel(false)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("xDS over mTLS: cannot load the certificate " + certFile + ", key "
                    + keyFile + " or root " + rootFile + ": " + e.getMessage(), e);
        }
    }

    /** Reads the three files again when any of them changed; a bad read keeps the last good credentials. */
    private static final class Reloader {
        private final Path cert;
        private final Path key;
        private final Path root;
        private final AdvancedTlsX509KeyManager keys;
        private final AdvancedTlsX509TrustManager trust;
        private List<Object> stamps = List.of();

        Reloader(Path cert, Path key, Path root, AdvancedTlsX509KeyManager keys, AdvancedTlsX509TrustManager trust) {
            this.cert = cert;
            this.key = key;
            this.root = root;
            this.keys = keys;
            this.trust = trust;
        }

        void load() throws IOException, GeneralSecurityException {
            List<Object> now = stamps();
            keys.updateIdentityCredentials(cert.toFile(), key.toFile());
            trust.updateTrustCredentials(root.toFile());
            stamps = now;
        }

        void reloadIfChanged() {
            try {
                if (!stamps().equals(stamps)) {
                    load();
                    LOG.infof("xDS over mTLS: reloaded the serving certificate %s and root %s", cert, root);
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                LOG.warnf("xDS over mTLS: cannot reload %s, %s, %s (keeping the current ones): %s", cert, key, root,
                        e.getMessage());
            }
        }

        private List<Object> stamps() throws IOException {
            List<Object> out = new java.util.ArrayList<>();
            for (Path p : List.of(cert, key, root)) {
                out.add(Files.getLastModifiedTime(p));
                out.add(Files.size(p));
                out.add(Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
            }
            return out;
        }
    }

    public ServerCredentials credentials() {
        return credentials;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : reloads) {
            c.close();
        }
    }

    /** After the chain checks out: the client's certificate must name a workload of this trust domain. */
    private record TrustDomainVerifier(String trustDomain)
            implements AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier {

        @Override
        public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            String prefix = "spiffe://" + trustDomain + "/";
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no client certificate");
            }
            if (!spiffeIds(chain[0]).stream().anyMatch(id -> id.startsWith(prefix))) {
                throw new CertificateException("client certificate " + chain[0].getSubjectX500Principal()
                        + " has no SPIFFE identity in trust domain " + trustDomain + " (URI SANs: "
                        + spiffeIds(chain[0]) + ")");
            }
        }

        private static List<String> spiffeIds(X509Certificate cert) throws CertificateParsingException {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return List.of();
            }
            return names.stream().filter(n -> n.size() == 2 && Integer.valueOf(URI_SAN).equals(n.get(0)))
                    .map(n -> String.valueOf(n.get(1))).toList();
        }
    }
}
