package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.time.Duration;
import java.util.Set;

/**
 * The retry policy of an HTTP route.
 *
 * @param attempts                 how many retries; 0 disables them
 * @param perTryTimeout            null when absent
 * @param retryOn                  Envoy's comma-separated retry conditions, "" when absent
 * @param retryRemoteLocalities    null when absent
 * @param retryIgnorePreviousHosts null when absent
 * @param backoff                  the base interval between retries, null when absent
 */
public record HTTPRetry(int attempts, Duration perTryTimeout, String retryOn, Boolean retryRemoteLocalities,
        Boolean retryIgnorePreviousHosts, Duration backoff) {

    /** Envoy's {@code x-envoy-retry-on} and {@code x-envoy-retry-grpc-on} conditions. */
    private static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
            "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
            "envoy-ratelimited", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
            "resource-exhausted", "unavailable");

    public HTTPRetry {
        retryOn = Fields.str(retryOn);
    }

    public static HTTPRetry parse(Node node) {
        HTTPRetry retry = new HTTPRetry(Fields.int32(node, "attempts"), node.duration("perTryTimeout"),
                Fields.string(node, "retryOn"), node.bool("retryRemoteLocalities"),
                node.bool("retryIgnorePreviousHosts"), node.duration("backoff"));
        if (retry.attempts < 0) {
            node.error("attempts", "attempts " + retry.attempts + " cannot be negative");
        }
        if (retry.attempts == 0 && (retry.perTryTimeout != null || !retry.retryOn.isEmpty()
                || retry.retryRemoteLocalities != null)) {
            node.error("attempts", "retry policy configured while attempts is 0 (retries disabled)");
        }
        Validation.checkDuration(node, "perTryTimeout", retry.perTryTimeout);
        Validation.checkDuration(node, "backoff", retry.backoff);
        if (!retry.retryOn.isEmpty()) {
            for (String policy : retry.retryOn.split(",", -1)) {
                if (!RETRY_ON.contains(policy) && !isHttpStatusCode(policy)) {
                    node.error("retryOn", "\"" + policy + "\" is not a valid retryOn policy");
                }
            }
        }
        return retry;
    }

    /** A status code with a standard reason phrase, as Go's {@code http.StatusText} knows them. */
    private static boolean isHttpStatusCode(String text) {
        if (!text.matches("[1-5][0-9]{2}")) {
            return false;
        }
        int code = Integer.parseInt(text);
        return (code >= 100 && code <= 103) || (code >= 200 && code <= 208) || code == 226
                || (code >= 300 && code <= 308 && code != 306) || (code >= 400 && code <= 418)
                || (code >= 421 && code <= 426) || code == 428 || code == 429 || code == 431 || code == 451
                || (code >= 500 && code <= 508) || code == 510 || code == 511;
    }
}
