package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/**
 * A redirect response sent instead of forwarding the request.
 *
 * @param port         the port to redirect to, 0 when absent; exclusive with {@code derivePort}
 * @param derivePort   how to derive the port, null when absent
 * @param redirectCode the status code, 0 when absent (Istio then sends 301)
 */
public record HTTPRedirect(String uri, String authority, int port, RedirectPortSelection derivePort,
        String scheme, int redirectCode) {

    public enum RedirectPortSelection { FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT }

    public HTTPRedirect {
        uri = Fields.str(uri);
        authority = Fields.str(authority);
        scheme = Fields.str(scheme);
    }

    public static HTTPRedirect parse(Node node) {
        HTTPRedirect redirect = new HTTPRedirect(Fields.string(node, "uri"), Fields.string(node, "authority"),
                Fields.uint32(node, "port"), node.enumValue("derivePort", RedirectPortSelection.class),
                Fields.string(node, "scheme"), Fields.uint32(node, "redirectCode"));
        if (node.has("port") && node.has("derivePort")) {
            node.error("derivePort", "only one of port or derivePort may be set");
        }
        if (redirect.uri.isEmpty() && redirect.authority.isEmpty() && redirect.scheme.isEmpty()
                && !node.has("port") && !node.has("derivePort")) {
            node.error(null, "redirect must specify uri, authority, scheme, port or derivePort");
        }
        if (redirect.redirectCode != 0 && (redirect.redirectCode < 300 || redirect.redirectCode > 399)) {
            node.error("redirectCode", redirect.redirectCode + " is not a valid redirect code, must be 3xx");
        }
        if (!redirect.scheme.isEmpty() && !redirect.scheme.equals("http") && !redirect.scheme.equals("https")) {
            node.error("scheme", "invalid redirect scheme \"" + redirect.scheme + "\", must be \"http\" or \"https\"");
        }
        if (node.has("port")) {
            Validation.checkPort(node, "port", redirect.port);
        }
        return redirect;
    }
}
