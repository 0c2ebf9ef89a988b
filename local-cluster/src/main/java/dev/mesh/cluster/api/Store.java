package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Blocking access to the object store (fabric8's CRUD mock on loopback). Only the front talks to
 * it; its answers are the store's, to be shaped by the front for clients.
 */
final class Store {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    Store(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String baseUrl() {
        return baseUrl;
    }

    /** The object at {@code path}, or null when the store has none. */
    ObjectNode get(String path) {
        Reply r = send("GET", path, null);
        if (r.code == 404) {
            return null;
        }
        return r.object(path);
    }

    /** The items at the collection {@code path} (with {@code query}, may be empty) and the list's resourceVersion. */
    ObjectNode list(String path, String query) {
        Reply r = send("GET", query == null || query.isEmpty() ? path : path + "?" + query, null);
        if (r.code == 404) {
            ObjectNode empty = JSON.createObjectNode();
            empty.putArray("items");
            return empty;
        }
        return r.object(path);
    }

    Reply create(String collectionPath, JsonNode object) {
        return send("POST", collectionPath, object);
    }

    Reply replace(String objectPath, JsonNode object) {
        return send("PUT", objectPath, object);
    }

    Reply delete(String objectPath) {
        return send("DELETE", objectPath, null);
    }

    Reply send(String method, String pathAndQuery, JsonNode body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(30));
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(resp.statusCode(), resp.body());
        } catch (IOException e) {
            throw new ApiException(503, "ServiceUnavailable", "the object store did not answer " + method + " "
                    + pathAndQuery + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "ServiceUnavailable", "interrupted");
        }
    }

    /** The store's answer. */
    record Reply(int code, byte[] body) {
        boolean ok() {
            return code >= 200 && code < 300;
        }

        ObjectNode object(String what) {
            try {
                JsonNode n = JSON.readTree(body);
                if (!(n instanceof ObjectNode o)) {
                    throw new ApiException(500, "InternalError", "the object store answered " + what + " with no object");
                }
                if (code >= 300) {
                    String message = o.path("message").asText("HTTP " + code);
                    throw new ApiException(code, o.path("reason").asText(reasonFor(code)), message);
                }
                return o;
            } catch (IOException e) {
                throw new ApiException(500, "InternalError", "the object store answered " + what + " with HTTP " + code
                        + " and a body that is not JSON");
            }
        }
    }

    static String reasonFor(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 422 -> "Invalid";
            default -> "InternalError";
        };
    }
}
