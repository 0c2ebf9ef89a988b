package dev.mesh.telemetry.model;

/**
 * One request as a proxy reported it (one OTLP span), with the attributes the graph, the metrics and the trace
 * API need. Immutable; built by {@code SpanDecoder} from the wire form, serialised as JSON on the Kafka topic.
 *
 * @param traceId 32 lower-case hex digits
 * @param spanId 16 lower-case hex digits
 * @param parentSpanId 16 hex digits, or empty for a root span
 * @param name the span's name (for instance {@code GET /version})
 * @param startEpochNanos when the request started, nanoseconds since the epoch
 * @param durationNanos how long it took until the response completed
 * @param reporter {@code source} or {@code destination}: which side's proxy reported it
 * @param source the calling workload
 * @param destination the called workload
 * @param destinationService the destination service's host name (FQDN), or {@value Peer#UNKNOWN}
 * @param protocol {@code http}, {@code grpc} or {@code tcp}
 * @param responseCode HTTP status, 0 when no response was sent
 * @param grpcStatus gRPC status code, -1 when not gRPC or unknown
 * @param responseFlags Envoy's response flags ({@code -} when none)
 * @param mutualTls whether the connection to the destination was mutual TLS
 * @param requestBytes request body size
 * @param responseBytes response body size
 */
public record RequestRecord(
        String traceId,
        String spanId,
        String parentSpanId,
        String name,
        long startEpochNanos,
        long durationNanos,
        String reporter,
        Peer source,
        Peer destination,
        String destinationService,
        String protocol,
        int responseCode,
        int grpcStatus,
        String responseFlags,
        boolean mutualTls,
        long requestBytes,
        long responseBytes) {

    /** Whether the request failed as Kiali counts errors: no response, 4xx, 5xx, or a non-OK gRPC status. */
    public boolean isError() {
        if ("grpc".equals(protocol) && grpcStatus >= 0) {
            return grpcStatus != 0;
        }
        return responseCode == 0 || responseCode >= 400;
    }

    /** The destination service's short name: the first label of its host name. */
    public String destinationServiceName() {
        int dot = destinationService.indexOf('.');
        return dot < 0 ? destinationService : destinationService.substring(0, dot);
    }

    /** The destination service's namespace: the second label of its host name, else the destination's. */
    public String destinationServiceNamespace() {
        String[] labels = destinationService.split("\\.", 3);
        return labels.length >= 2 ? labels[1] : destination.namespace();
    }
}
