package dev.mesh.proxy.rbac;

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
     */
    public static RequestView of(HttpServerRequest req, int destinationPort, String destinationIp,
            Optional<PeerIdentity> peer) {
        Map<String, List<String>> headers = new HashMap<>();
        req.headers().forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(e.getValue()));
        String direct = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
        String forwarded = req.getHeader("x-forwarded-for");
        // Envoy's remote_ip: the original client (first X-Forwarded-For entry, as use_remote_address=false keeps it).
        String remote = forwarded == null || forwarded.isBlank() ? direct : forwarded.split(",")[0].trim();
        String authority = req.authority() == null ? req.getHeader("host") : req.authority().toString();
        return new RequestView(req.method().name(), req.uri(), authority, headers, destinationPort,
                destinationIp == null ? "" : destinationIp, peer.map(PeerIdentity::principalName), direct, remote, "");
    }
}
