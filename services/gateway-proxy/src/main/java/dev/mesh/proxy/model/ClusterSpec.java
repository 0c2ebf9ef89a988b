package dev.mesh.proxy.model;

import java.time.Duration;
import java.util.List;

/**
 * A CDS cluster as the proxy uses it. {@code edsServiceName} is null for clusters whose endpoints are
 * inline ({@code staticEndpoints}); {@code serviceHost} and {@code serviceNamespace} come from the
 * cluster's istio metadata and label metrics. {@code outlierDetection} and
 * {@code connectionLimits} are null when the cluster has none. A passthrough cluster (ORIGINAL_DST) has no
 * endpoints: it sends to wherever the client meant to go.
 */
public record ClusterSpec(String name, String edsServiceName, List<Endpoint> staticEndpoints, LbPolicy lbPolicy,
        boolean http2, Duration connectTimeout, String serviceHost, String serviceNamespace, String subset,
        OutlierDetection outlierDetection, ConnectionLimits connectionLimits) {

    /** {@code ORIGINAL_DST}: Envoy's ORIGINAL_DST cluster, whose one endpoint is the connection's original destination. */
    public enum LbPolicy { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, ORIGINAL_DST }

    public boolean originalDst() {
        return lbPolicy == LbPolicy.ORIGINAL_DST;
    }

    public boolean usesEds() {
        return edsServiceName != null;
    }
}
