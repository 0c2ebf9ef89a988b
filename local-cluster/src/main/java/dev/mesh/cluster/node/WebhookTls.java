package dev.mesh.cluster.node;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The TLS client context for calling a webhook: trust its caBundle, or the JDK's roots when it has none. */
final class WebhookTls {

    private WebhookTls() {
    }

    /**
     * @param caBundle base64 of PEM certificates, as in {@code clientConfig.caBundle}; empty for the JDK's roots
     * @throws IllegalArgumentException when the bundle is not base64 PEM certificates
     */
    static SSLContext context(String caBundle) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (caBundle.isBlank()) {
                context.init(null, null, null);
                return context;
            }
            byte[] pem;
            try {
                pem = Base64.getMimeDecoder().decode(caBundle);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("clientConfig.caBundle is not base64: " + e.getMessage());
            }
            Collection<? extends Certificate> certificates;
            try {
                certificates = CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(pem));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("clientConfig.caBundle holds no PEM certificate: " + e.getMessage());
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("clientConfig.caBundle holds no PEM certificate");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up TLS for a webhook call", e);
        }
    }
}
