package dev.mesh.proxy.http;

/**
 * What one request was, once its response is complete (or the exchange ended without one): handed to every
 * {@link RequestObserver}. Times are milliseconds; {@code upstreamServiceTimeMillis} is -1 when no upstream
 * answered. Text fields are null when unknown. {@code responseFlags} are Envoy's ({@code NR}, {@code UH},
 * {@code UF}, {@code UO}, {@code URX}, {@code UT}, {@code UC}, {@code DI}, {@code FI}, {@code DC}, ...), comma
 * separated, or {@code -}. {@code reporter} is {@code source} (outbound, gateway) or {@code destination} (inbound).
 */
public record RequestRecord(long startEpochMillis, String method, String path, String protocol, int responseCode,
        String responseFlags, long bytesReceived, long bytesSent, long durationMillis, long upstreamServiceTimeMillis,
        String xForwardedFor, String userAgent, String requestId, String authority, String upstreamHost,
        String upstreamCluster, String routeName, String downstreamRemoteAddress, String reporter) {}
