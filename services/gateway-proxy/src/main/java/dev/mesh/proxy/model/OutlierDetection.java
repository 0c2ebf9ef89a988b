package dev.mesh.proxy.model;

import java.time.Duration;

/**
 * A cluster's {@code outlier_detection}: an endpoint that answers {@code consecutive5xx} 5xx in a row (or
 * {@code consecutiveGatewayFailure} 502/503/504 or connect failures in a row, 0 = off) is ejected for
 * {@code baseEjectionTime} times the number of times it has been ejected; no ejection happens while
 * {@code maxEjectionPercent} of the cluster is already ejected. {@code interval} is kept for
 * {@code /config_dump}; ejections end when their time is up, not on an interval tick.
 */
public record OutlierDetection(int consecutive5xx, int consecutiveGatewayFailure, Duration interval,
        Duration baseEjectionTime, int maxEjectionPercent) {}
