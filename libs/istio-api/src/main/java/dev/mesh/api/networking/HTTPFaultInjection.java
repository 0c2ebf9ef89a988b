package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.time.Duration;
import java.util.Set;

/**
 * Faults injected into the requests of an HTTP route: a delay, an abort, or both.
 *
 * @param delay null when absent
 * @param abort null when absent
 */
public record HTTPFaultInjection(Delay delay, Abort abort) {

    /** gRPC status names, as {@code grpcStatus} takes them. */
    private static final Set<String> GRPC_STATUS = Set.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
            "DATA_LOSS", "UNAUTHENTICATED");

    /**
     * @param fixedDelay       null when absent
     * @param exponentialDelay null when absent (Istio does not support it yet and rejects it)
     * @param percentage       the share of requests delayed, null when absent
     * @param percent          deprecated whole-number form of {@code percentage}, 0 when absent
     */
    public record Delay(Duration fixedDelay, Duration exponentialDelay, Percent percentage, int percent) {

        public static Delay parse(Node node) {
            Delay delay = new Delay(node.duration("fixedDelay"), node.duration("exponentialDelay"),
                    node.object("percentage", Percent::parse), Fields.int32(node, "percent"));
            if (node.has("fixedDelay") && node.has("exponentialDelay")) {
                node.error("exponentialDelay", "only one of fixedDelay or exponentialDelay may be set");
            }
            Validation.checkDuration(node, "fixedDelay", delay.fixedDelay);
            if (node.has("exponentialDelay")) {
                node.error("exponentialDelay", "exponentialDelay is not supported yet");
            }
            if (node.has("percent")) {
                Validation.checkPercent(node, "percent", delay.percent);
                node.warning("percent", "deprecated: use percentage instead");
            }
            return delay;
        }
    }

    /**
     * Exactly one of the error types is expected.
     *
     * @param httpStatus 0 when absent
     * @param grpcStatus "" when absent
     * @param http2Error "" when absent (Istio does not support it yet and rejects it)
     * @param percentage the share of requests aborted, null when absent
     */
    public record Abort(int httpStatus, String grpcStatus, String http2Error, Percent percentage) {

        public Abort {
            grpcStatus = Fields.str(grpcStatus);
            http2Error = Fields.str(http2Error);
        }

        public static Abort parse(Node node) {
            Abort abort = new Abort(Fields.int32(node, "httpStatus"), Fields.string(node, "grpcStatus"),
                    Fields.string(node, "http2Error"), node.object("percentage", Percent::parse));
            int types = (node.has("httpStatus") ? 1 : 0) + (node.has("grpcStatus") ? 1 : 0)
                    + (node.has("http2Error") ? 1 : 0);
            if (types > 1) {
                node.error(null, "only one of httpStatus, grpcStatus or http2Error may be set");
            } else if (types == 0) {
                node.warning(null, "abort configured, but error type not set");
            }
            if (node.has("httpStatus")) {
                checkHttpStatus(node, "httpStatus", abort.httpStatus);
            }
            if (node.has("grpcStatus") && !GRPC_STATUS.contains(abort.grpcStatus)) {
                node.error("grpcStatus", "gRPC status \"" + abort.grpcStatus + "\" is not supported, expected a"
                        + " status name such as NOT_FOUND or UNAVAILABLE");
            }
            if (node.has("http2Error")) {
                node.error("http2Error", "HTTP/2 abort fault injection is not supported yet");
            }
            return abort;
        }
    }

    public static HTTPFaultInjection parse(Node node) {
        HTTPFaultInjection fault = new HTTPFaultInjection(node.object("delay", Delay::parse),
                node.object("abort", Abort::parse));
        if (!node.has("delay") && !node.has("abort")) {
            node.error(null, "HTTP fault injection must have an abort and/or a delay");
        }
        return fault;
    }

    static void checkHttpStatus(Node node, String field, int status) {
        if (status < 200 || status > 599) {
            node.error(field, "HTTP status " + status + " is not in range 200..599");
        }
    }
}
