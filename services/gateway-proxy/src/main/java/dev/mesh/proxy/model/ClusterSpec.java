package dev.mesh.proxy.model;

import java.time.Duration;
import java.util.List;

/**
 * A CDS cluster as the proxy uses it. {@code edsServiceName} is null for clusters whose endpoints are
 * inline ({@code staticEndpoints}); {@code serviceHost} and {@code serviceNamespace} come from the
 * cluster's istio metadata and label metrics. {@code outlierDetection} and
 * {@code connectionLimits} are null when the cluster has none.
 */
public record ClusterSpec(String name, String edsServiceName, List<Endpoint> staticEndpoints, LbPolicy lbPolicy,
        boolean http2, Duration connectTimeout, String serviceHost, String serviceNamespace, String subset,
        OutlierDetection outlierDetection, ConnectionLimits connectionLimits) {

    public enum LbPolicy { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH }

    public boolean usesEds() {
        return edsServiceName != null;
    }
}
