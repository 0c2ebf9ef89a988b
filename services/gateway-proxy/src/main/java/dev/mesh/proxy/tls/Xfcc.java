package dev.mesh.proxy.tls;

import dev.mesh.proxy.identity.Pem;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ForwardClientCertDetails;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code x-forwarded-client-cert} header as Envoy builds it from the HTTP connection manager's
 * {@code forward_client_cert_details} and {@code set_current_client_cert_details}:
 * {@code By=<our URI>;Hash=<sha256 of the peer cert>;Subject="<subject>";URI=<peer URI>;DNS=<peer DNS>} (Istio's
 * sidecars set subject, URI and DNS, and append to what the client sent).
 */
public final class Xfcc {

    public static final String HEADER = "x-forwarded-client-cert";

    private Xfcc() {
    }

    /** This hop's element: the local identity, then the peer's details the config asks for. */
    public static String element(String localUri, PeerIdentity peer, SetCurrentClientCertDetails details) {
        List<String> parts = new ArrayList<>();
        if (!localUri.isEmpty()) {
            parts.add("By=" + localUri);
        }
        parts.add("Hash=" + peer.sha256Hex());
        if (details.getCert()) {
            parts.add("Cert=\"" + URLEncoder.encode(Pem.encode(peer.certificate()), StandardCharsets.UTF_8) + "\"");
        }
        if (details.getSubject().getValue()) {
            parts.add("Subject=\"" + peer.certificate().getSubjectX500Principal().getName().replace("\"", "\\\"") + "\"");
        }
        if (details.getUri()) {
            // Envoy keeps the key even when the peer has no URI SAN.
            parts.add("URI=" + peer.uri());
        }
        if (details.getDns()) {
            for (String dns : Pem.dnsSans(peer.certificate())) {
                parts.add("DNS=" + dns);
            }
        }
        return String.join(";", parts);
    }

    /**
     * The header to send to the application.
     *
     * @param incoming what the client sent, or null
     * @param peer     the verified client certificate, empty on a plain-text or one-way TLS connection
     * @return the header value, or empty to remove it
     */
    public static Optional<String> apply(String incoming, ForwardClientCertDetails mode,
            SetCurrentClientCertDetails details, String localUri, Optional<PeerIdentity> peer) {
        if (mode == ForwardClientCertDetails.ALWAYS_FORWARD_ONLY) {
            return Optional.ofNullable(incoming);
        }
        if (peer.isEmpty()) {
            // Not mutual TLS: what a client claims about certificates cannot be trusted.
            return Optional.empty();
        }
        return switch (mode) {
            case FORWARD_ONLY -> Optional.ofNullable(incoming);
            case APPEND_FORWARD -> {
                String element = element(localUri, peer.get(), details);
                yield Optional.of(incoming == null || incoming.isEmpty() ? element : incoming + "," + element);
            }
            case SANITIZE_SET -> Optional.of(element(localUri, peer.get(), details));
            default -> Optional.empty();
        };
    }

    /** The first URI SAN of a certificate: the {@code By=} of the proxy presenting it. */
    public static String localUri(X509Certificate own) {
        List<String> uris = Pem.uriSans(own);
        return uris.isEmpty() ? "" : uris.get(0);
    }
}
