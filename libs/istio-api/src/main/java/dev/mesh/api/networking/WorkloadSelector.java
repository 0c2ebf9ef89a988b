package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.Map;

/** The workloads a Sidecar or ServiceEntry applies to, by their labels (in the resource's namespace). */
public record WorkloadSelector(Map<String, String> labels) {

    public WorkloadSelector {
        labels = Fields.map(labels);
    }

    public static WorkloadSelector parse(Node node) {
        WorkloadSelector selector = new WorkloadSelector(node.stringMap("labels"));
        Validation.checkSelectorLabels(node, "labels", selector.labels);
        return selector;
    }
}
