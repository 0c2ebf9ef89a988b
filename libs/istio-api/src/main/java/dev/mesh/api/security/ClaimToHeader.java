package dev.mesh.api.security;

import dev.mesh.api.Node;
import java.util.regex.Pattern;

/**
 * Istio's {@code security.istio.io} ClaimToHeader: copies a claim of a verified token into a request header.
 *
 * @param header the header to set; letters, digits and '-' only
 * @param claim  the claim to copy, for instance {@code sub} or {@code nested.key}
 */
public record ClaimToHeader(String header, String claim) {

    /** Istio's strict header-name rule (stricter than HTTP's token). */
    private static final Pattern STRICT_HEADER_NAME = Pattern.compile("[-A-Za-z0-9]+");

    public ClaimToHeader {
        header = header == null ? "" : header;
        claim = claim == null ? "" : claim;
    }

    static ClaimToHeader parse(Node node) {
        ClaimToHeader mapping = new ClaimToHeader(node.string("header"), node.string("claim"));
        if (mapping.header.isEmpty()) {
            node.error("header", node.has("header") ? "must not be empty" : "is required");
        } else if (!STRICT_HEADER_NAME.matcher(mapping.header).matches()) {
            node.error("header", "\"" + mapping.header + "\" is not a valid header name: use letters, digits"
                    + " and '-' only");
        }
        if (mapping.claim.isEmpty()) {
            node.error("claim", node.has("claim") ? "must not be empty" : "is required");
        }
        return mapping;
    }
}
