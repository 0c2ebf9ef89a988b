package dev.mesh.proxy.model;

/**
 * A cluster's {@code circuit_breakers} thresholds (DEFAULT priority). The proxy enforces them as one bound on
 * the requests it has sent to the cluster and not yet had response headers for: over HTTP/1.1 each such
 * request holds a connection, so the bound is {@code min(maxRequests, maxConnections + maxPendingRequests)};
 * over HTTP/2 it is {@code maxRequests}. A request over the bound is answered 503 with flag {@code UO}.
 */
public record ConnectionLimits(int maxConnections, int maxPendingRequests, int maxRequests) {

    public int inFlightBound(boolean http2) {
        return http2 ? maxRequests : (int) Math.min(maxRequests, (long) maxConnections + maxPendingRequests);
    }
}
