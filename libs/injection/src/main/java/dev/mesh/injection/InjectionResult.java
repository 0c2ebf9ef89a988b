package dev.mesh.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The injector's answer for one pod.
 *
 * @param outcome    injected, skipped or refused
 * @param skipReason why it was skipped, else null
 * @param message    why it was refused (every bad annotation and its value), or the skip's description
 * @param pod        the pod after injection; the pod unchanged when skipped; null when refused
 * @param patch      the RFC 6902 operations from the submitted pod to {@code pod}; empty unless injected
 */
public record InjectionResult(Outcome outcome, SkipReason skipReason, String message, JsonNode pod,
        ArrayNode patch) {

    public enum Outcome { INJECTED, SKIPPED, REFUSED }

    static InjectionResult injected(JsonNode pod, ArrayNode patch) {
        return new InjectionResult(Outcome.INJECTED, null, null, pod, patch);
    }

    static InjectionResult skipped(SkipReason reason, JsonNode pod) {
        return new InjectionResult(Outcome.SKIPPED, reason, reason.description(), pod,
                JsonNodeFactory.instance.arrayNode());
    }

    static InjectionResult refused(String message) {
        return new InjectionResult(Outcome.REFUSED, null, message, null, JsonNodeFactory.instance.arrayNode());
    }
}
