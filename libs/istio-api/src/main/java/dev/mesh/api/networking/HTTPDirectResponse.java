package dev.mesh.api.networking;

import dev.mesh.api.Node;

/**
 * A fixed response sent instead of forwarding the request.
 *
 * @param body null when absent
 */
public record HTTPDirectResponse(int status, HTTPBody body) {

    private static final int KB = 1024;
    private static final int MB = 1024 * KB;

    public static HTTPDirectResponse parse(Node node) {
        HTTPDirectResponse response = new HTTPDirectResponse(Fields.uint32(node, "status"),
                node.object("body", HTTPBody::parse));
        HTTPFaultInjection.checkHttpStatus(node, "status", response.status);
        if (response.body != null) {
            int size = response.body.content().length;
            if (size > MB) {
                node.error("body", "body of " + size + " bytes is too large, must be less than 1MB");
            } else if (size > 100 * KB) {
                node.warning("body", "large direct responses (" + size + " bytes) may impact control plane"
                        + " performance");
            }
        }
        return response;
    }
}
