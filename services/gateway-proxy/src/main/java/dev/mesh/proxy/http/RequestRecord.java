package dev.mesh.proxy.http;

/**
 * What one request was, once its response is complete (or the exchange ended without one): handed to every
 * {@link RequestObserver} and read by the proxy's own metrics, so that the access log, the exported span and
 * {@code istio_requests_total} say the same. Times are milliseconds ({@code durationNanos} also in nanoseconds);
 * {@code upstreamServiceTimeMillis} is -1 when no upstream answered. Text fields are null when unknown.
 * {@code responseFlags} are Envoy's ({@code NR}, {@code UH}, {@code UF}, {@code UO}, {@code URX}, {@code UT},
 * {@code UC}, {@code DI}, {@code FI}, {@code DC}, ...), comma separated, or {@code -}. {@code reporter} is
 * {@code source} (outbound, gateway) or {@code destination} (inbound).
 *
 * @param source                   the caller: this proxy's workload when it reports as source; for an inbound
 *                                 request the peer's principal from its mesh certificate (and the namespace that
 *                                 principal names), the rest unknown
 * @param destination              the called workload: the chosen endpoint's (EDS metadata) and the upstream
 *                                 certificate's principal when it reports as source; this proxy's when inbound
 * @param destinationService       the service host of the chosen cluster, FQDN
 * @param destinationServiceNamespace the namespace of that service (cluster metadata)
 * @param requestProtocol          {@code http} or {@code grpc}
 * @param connectionSecurityPolicy Istio's label: {@code mutual_tls} / {@code none} as destination reporter,
 *                                 {@code unknown} as source reporter
 * @param trace                    the trace this request belongs to and this proxy's span in it
 */
public record RequestRecord(long startEpochMillis, String method, String path, String protocol, int responseCode,
        String responseFlags, long bytesReceived, long bytesSent, long durationMillis, long upstreamServiceTimeMillis,
        String xForwardedFor, String userAgent, String requestId, String authority, String upstreamHost,
        String upstreamCluster, String routeName, String downstreamRemoteAddress, String reporter, Workload source,
        Workload destination, String destinationService, String destinationServiceNamespace, String requestProtocol, String connectionSecurityPolicy,
        TraceContext trace, long durationNanos) {

    /** One side of a request; any part may be null (unknown). {@code principal} is a SPIFFE id. */
    public record Workload(String name, String namespace, String app, String version, String principal) {

        public static final Workload UNKNOWN = new Workload(null, null, null, null, null);

        /** The same workload with this principal. */
        public Workload withPrincipal(String p) {
            return new Workload(name, namespace, app, version, p);
        }
    }

    /** A source reporter's record: the proxy sent the request. */
    public boolean reportedBySource() {
        return "source".equals(reporter);
    }
}
