package dev.mesh.api.security;

import dev.mesh.api.Node;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Istio's {@code istio.type.v1beta1.WorkloadSelector}: the pods (or VMs) a policy applies to, by labels.
 *
 * @param matchLabels the labels a workload must carry, all of them; never null
 */
public record WorkloadSelector(Map<String, String> matchLabels) {

    /** Kubernetes' limit on a label value, which the Istio CRDs enforce. */
    private static final int LABEL_VALUE_MAX = 63;

    public WorkloadSelector {
        matchLabels = matchLabels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(matchLabels));
    }

    /** Parses and validates a {@code selector} object, as Istio's validateWorkloadSelector does. */
    static WorkloadSelector parse(Node node) {
        Map<String, String> labels = node.stringMap("matchLabels");
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String key = label.getKey();
            String value = label.getValue();
            String field = "matchLabels." + key;
            if (key.isEmpty()) {
                node.error("matchLabels", "a label key must not be empty (value \"" + value + "\")");
            }
            if (key.contains("*") || value.contains("*")) {
                node.error(field, "wildcards are not supported in a selector, found \"" + key + "=" + value + "\"");
            }
            if (value.length() > LABEL_VALUE_MAX) {
                node.error(field, "label value \"" + value + "\" is longer than " + LABEL_VALUE_MAX + " characters");
            }
        }
        if (labels.isEmpty()) {
            node.warning(null, "selector without matchLabels selects every workload in the namespace");
        }
        return new WorkloadSelector(labels);
    }

    /** True when no label is set: such a selector applies namespace-wide. */
    public boolean isEmpty() {
        return matchLabels.isEmpty();
    }
}
