package dev.mesh.telemetry.model;

/**
 * One end of a request as Istio labels it: the workload and its namespace, the {@code app} and {@code version}
 * labels of its pods and its SPIFFE principal. Absent values are {@value #UNKNOWN}, as in Istio's metrics.
 */
public record Peer(String namespace, String workload, String app, String version, String principal) {

    public static final String UNKNOWN = "unknown";

    public Peer {
        namespace = orUnknown(namespace);
        workload = orUnknown(workload);
        app = orUnknown(app);
        version = orUnknown(version);
        principal = orUnknown(principal);
    }

    public static String orUnknown(String value) {
        return value == null || value.isEmpty() ? UNKNOWN : value;
    }

    public boolean isUnknown() {
        return UNKNOWN.equals(workload);
    }
}
