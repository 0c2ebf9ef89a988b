package dev.mesh.proxy.model;

/**
 * One upstream address with its load-balancing weight and, from the EDS endpoint's {@code istio} metadata, the
 * workload behind it (null parts when not sent): Istio's {@code workload} value
 * {@code <name>;<namespace>;<canonical service>;<canonical revision>;<cluster>}, read as name, namespace, app and
 * version. These label the {@code destination_*} of metrics and exported spans.
 */
public record Endpoint(String host, int port, int weight, String workload, String namespace, String app,
        String version) {

    /** An endpoint of which only the workload name (or nothing) is known. */
    public Endpoint(String host, int port, int weight, String workload) {
        this(host, port, weight, workload, null, null, null);
    }

    public String key() {
        return host + ":" + port;
    }

    /**
     * The endpoint with the workload read from Istio's {@code workload} metadata value: either the
     * semicolon-separated form or a bare workload name; empty parts stay null.
     */
    public static Endpoint withWorkloadMetadata(String host, int port, int weight, String value) {
        if (value == null || value.isEmpty()) {
            return new Endpoint(host, port, weight, null);
        }
        String[] parts = value.split(";", -1);
        return new Endpoint(host, port, weight, part(parts, 0), part(parts, 1), part(parts, 2), part(parts, 3));
    }

    private static String part(String[] parts, int i) {
        return i < parts.length && !parts[i].isEmpty() ? parts[i] : null;
    }
}
