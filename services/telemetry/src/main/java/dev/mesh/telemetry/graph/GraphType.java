package dev.mesh.telemetry.graph;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Kiali's graph types: what one node stands for. */
public enum GraphType {
    /** One node per workload (Deployment). */
    WORKLOAD("workload"),
    /** One node per {@code app} label. */
    APP("app"),
    /** One node per {@code app} and {@code version} label. */
    VERSIONED_APP("versionedApp"),
    /** One node per service; callers appear as the service of their {@code app}. */
    SERVICE("service");

    private final String wireName;

    GraphType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static GraphType parse(String value) {
        for (GraphType type : values()) {
            if (type.wireName.equals(value)) {
                return type;
            }
        }
        throw new BadQueryException("graphType", "graphType \"" + value + "\" is not one of "
                + Arrays.stream(values()).map(GraphType::wireName).collect(Collectors.joining(", ")));
    }
}
