package dev.mesh.proxy.rbac;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What RBAC looks at in one request (or, for a TCP connection, with no method, path or headers): the request line
 * and headers, the destination port and address, the verified peer principal and the source addresses.
 *
 * @param headers          lower-case names; the pseudo-headers {@code :method}, {@code :path}, {@code :authority} are
 *                         answered from the fields
 * @param peerPrincipal    the mutual TLS peer's principal name (its SPIFFE id), empty without a verified peer
 * @param directRemoteIp   the address of the connection's peer
 * @param remoteIp         the original client address as the connection manager trusts it
 *                         ({@link dev.mesh.proxy.model.ForwardedFor#clientAddress}), else the direct one
 * @param requestedServerName the TLS SNI, empty without
 */
public record RequestView(String method, String path, String authority, Map<String, List<String>> headers,
        int destinationPort, String destinationIp, Optional<String> peerPrincipal, String directRemoteIp,
        String remoteIp, String requestedServerName) {

    public RequestView {
        headers = Map.copyOf(headers);
    }

    /** A TCP connection: no HTTP fields. */
    public static RequestView connection(int destinationPort, String destinationIp, Optional<String> peerPrincipal,
            String directRemoteIp, String requestedServerName) {
        return new RequestView(null, null, null, Map.of(), destinationPort, destinationIp, peerPrincipal,
                directRemoteIp, directRemoteIp, requestedServerName);
    }

    /** All values of a header joined by commas, as Envoy matches them; null when absent. */
    public String header(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        switch (key) {
            case ":method":
                return method;
            case ":path":
                return path;
            case ":authority":
            case "host":
                return authority;
            default:
                List<String> values = headers.get(key);
                return values == null || values.isEmpty() ? null : String.join(",", values);
        }
    }

    /** The path without its query string, what {@code url_path} matches. */
    public String pathWithoutQuery() {
        if (path == null) {
            return null;
        }
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }
}
