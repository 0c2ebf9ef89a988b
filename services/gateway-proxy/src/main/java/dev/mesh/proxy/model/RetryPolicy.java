package dev.mesh.proxy.model;

import java.time.Duration;
import java.util.Set;

/** When and how often a forwarded request is tried again. A zero {@code perTryTimeout} means none. */
public record RetryPolicy(Set<String> retryOn, int numRetries, Duration perTryTimeout, Set<Integer> retriableStatusCodes) {

    public static final RetryPolicy NONE = new RetryPolicy(Set.of(), 0, Duration.ZERO, Set.of());

    public boolean retriesStatus(int status) {
        if (retryOn.contains("5xx") && status >= 500) {
            return true;
        }
        if (retryOn.contains("gateway-error") && (status == 502 || status == 503 || status == 504)) {
            return true;
        }
        return retryOn.contains("retriable-status-codes") && retriableStatusCodes.contains(status);
    }

    public boolean retriesConnectFailure() {
        return retryOn.contains("connect-failure") || retryOn.contains("5xx") || retryOn.contains("gateway-error")
                || retryOn.contains("reset");
    }

    /** A per-try timeout counts as an upstream 504. */
    public boolean retriesTimeout() {
        return retryOn.contains("5xx") || retryOn.contains("gateway-error");
    }
}
