package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A request the API refuses, carried to the one place that turns it into a {@code v1 Status}. */
final class ApiException extends RuntimeException {

    private final int code;
    private final String reason;

    ApiException(int code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    static ApiException notFound(String resource, String name) {
        return new ApiException(404, "NotFound", resource + " \"" + name + "\" not found");
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "NotFound", message);
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    static ApiException invalid(String message) {
        return new ApiException(422, "Invalid", message);
    }

    static ApiException conflict(String message) {
        return new ApiException(409, "Conflict", message);
    }

    static ApiException alreadyExists(String resource, String name) {
        return new ApiException(409, "AlreadyExists", resource + " \"" + name + "\" already exists");
    }

    static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "UnsupportedMediaType", message);
    }

    static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message);
    }

    static ApiException forbidden(String message) {
        return new ApiException(403, "Forbidden", message);
    }

    int code() {
        return code;
    }

    String reason() {
        return reason;
    }

    ObjectNode toStatus() {
        return status(code, reason, getMessage());
    }

    static ObjectNode status(int code, String reason, String message) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", code < 400 ? "Success" : "Failure");
        if (message != null) {
            s.put("message", message);
        }
        if (reason != null) {
            s.put("reason", reason);
        }
        s.put("code", code);
        return s;
    }
}
