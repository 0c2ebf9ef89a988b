package dev.mesh.api.networking;

import dev.mesh.api.Node;

/**
 * Rewrites the request before forwarding it.
 *
 * @param uriRegexRewrite null when absent; exclusive with {@code uri}
 */
public record HTTPRewrite(String uri, String authority, RegexRewrite uriRegexRewrite) {

    public HTTPRewrite {
        uri = Fields.str(uri);
        authority = Fields.str(authority);
    }

    public static HTTPRewrite parse(Node node) {
        HTTPRewrite rewrite = new HTTPRewrite(Fields.string(node, "uri"), Fields.string(node, "authority"),
                node.object("uriRegexRewrite", RegexRewrite::parse));
        boolean regex = node.has("uriRegexRewrite");
        if (!rewrite.uri.isEmpty() && regex) {
            node.error("uriRegexRewrite", "rewrite may only contain one of uri or uriRegexRewrite");
        }
        if (rewrite.uri.isEmpty() && !regex && rewrite.authority.isEmpty()) {
            node.error(null, "rewrite must specify at least one of uri, uriRegexRewrite or authority");
        }
        return rewrite;
    }
}
