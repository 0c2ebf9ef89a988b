package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Mutating admission as the API server runs it at create: given the object, its Namespace and the stored
 * MutatingWebhookConfigurations, the object to store or why the request is refused. The API server calls it only
 * when some configuration exists; the local node provides it (it calls the webhooks over HTTPS).
 */
@FunctionalInterface
public interface MutatingAdmission {

    /** What admission decided. */
    sealed interface Result {
        /** Store {@code object} (the webhooks' patches applied). */
        record Admitted(JsonNode object) implements Result {
        }

        /** Refuse with this HTTP status and message, as the API server words it. */
        record Rejected(int code, String message) implements Result {
        }
    }

    /** A create of {@code object} ({@code group/version}, {@code kind}, plural {@code resource}) in {@code namespace}. */
    Result admit(String group, String version, String kind, String resource, String namespace, JsonNode object,
            JsonNode namespaceObject, List<JsonNode> configurations);
}
