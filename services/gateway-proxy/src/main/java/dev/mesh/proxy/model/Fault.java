package dev.mesh.proxy.model;

import java.time.Duration;

/**
 * A route's envoy.filters.http.fault configuration; percentages are per million. A null delay or abort
 * status means that part is not configured.
 */
public record Fault(Duration delay, int delayPerMillion, Integer abortStatus, int abortPerMillion) {}
