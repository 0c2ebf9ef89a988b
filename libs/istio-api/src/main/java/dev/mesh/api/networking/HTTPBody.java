package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The body of a direct response: text, or bytes written in base64. At most one is set.
 *
 * @param bytes the base64 text as written; {@link #content()} decodes it
 */
public record HTTPBody(String string, String bytes) {

    public HTTPBody {
        string = Fields.str(string);
        bytes = Fields.str(bytes);
    }

    /** The body as sent on the wire. */
    public byte[] content() {
        return bytes.isEmpty() ? string.getBytes(StandardCharsets.UTF_8) : Base64.getDecoder().decode(bytes);
    }

    public static HTTPBody parse(Node node) {
        HTTPBody body = new HTTPBody(Fields.string(node, "string"), Fields.string(node, "bytes"));
        if (node.has("string") && node.has("bytes")) {
            node.error(null, "only one of string or bytes may be set");
        }
        if (!body.bytes.isEmpty()) {
            try {
                Base64.getDecoder().decode(body.bytes);
            } catch (IllegalArgumentException e) {
                node.error("bytes", "is not valid base64: " + e.getMessage());
                return new HTTPBody(body.string, "");
            }
        }
        return body;
    }
}
