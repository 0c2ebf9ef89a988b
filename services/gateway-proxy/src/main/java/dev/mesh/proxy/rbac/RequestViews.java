package dev.mesh.proxy.rbac;

import dev.mesh.proxy.model.ForwardedFor;
import dev.mesh.proxy.tls.PeerIdentity;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The {@link RequestView} of a Vert.x request. */
public final class RequestViews {

    private RequestViews() {
    }

    /**
     * @param destinationPort the port the client meant (the original destination for captured traffic)
     * @param peer            the verified mutual TLS peer of the connection, empty for plain text
     * @param forwardedFor    the connection manager's {@code x-forwarded-for} handling, which decides {@code remote_ip}
     */
    public static RequestView of(HttpServerRequest req, int destinationPort, String destinationIp,
            Optional<PeerIdentity> peer, ForwardedFor forwardedFor) {
        Map<String, List<String>> headers = new HashMap<>();
        req.headers().forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(e.getValue()));
        String direct = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
        // Envoy's remote_ip: the client as the connection manager trusts it (the peer, or an XFF entry counted from
        // the right); the leftmost entries are the client's own claim and never decide.
        String remote = forwardedFor.clientAddress(direct, forwardedFor(req));
        String authority = req.authority() == null ? req.getHeader("host") : req.authority().toString();
        return new RequestView(req.method().name(), req.uri(), authority, headers, destinationPort,
                destinationIp == null ? "" : destinationIp, peer.map(PeerIdentity::principalName), direct, remote, "");
    }

    /** Every {@code x-forwarded-for} value of the request joined by commas, as one list; null without. */
    public static String forwardedFor(HttpServerRequest req) {
        List<String> values = req.headers().getAll(ForwardedFor.HEADER);
        return values.isEmpty() ? null : String.join(",", values);
    }
}
