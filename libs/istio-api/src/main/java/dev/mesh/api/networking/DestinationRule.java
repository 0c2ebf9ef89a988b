package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Policies for traffic to {@code host} after routing: load balancing, connection pools, outlier
 * detection, TLS, and the named {@code subsets} routes refer to.
 *
 * @param trafficPolicy    null when absent
 * @param workloadSelector the workloads (in this namespace) the rule applies to; null: all
 */
public record DestinationRule(String host, TrafficPolicy trafficPolicy, List<Subset> subsets, List<String> exportTo,
        WorkloadSelector workloadSelector) {

    /** Istio's {@code istio.type.v1beta1.WorkloadSelector}: unlike the Sidecar's, its field is matchLabels. */
    public record WorkloadSelector(Map<String, String> matchLabels) {

        public WorkloadSelector {
            matchLabels = Fields.map(matchLabels);
        }

        public static WorkloadSelector parse(Node node) {
            WorkloadSelector selector = new WorkloadSelector(node.stringMap("matchLabels"));
            Validation.checkSelectorLabels(node, "matchLabels", selector.matchLabels);
            return selector;
        }
    }

    public DestinationRule {
        host = Fields.str(host);
        subsets = Fields.list(subsets);
        exportTo = Fields.list(exportTo);
    }

    /** The subset named {@code name}, if declared. */
    public Optional<Subset> subset(String name) {
        return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public static DestinationRule parse(Node node) {
        DestinationRule rule = new DestinationRule(Fields.string(node, "host"),
                node.object("trafficPolicy", TrafficPolicy::parse), node.list("subsets", Subset::parse),
                node.strings("exportTo"), node.object("workloadSelector", WorkloadSelector::parse));
        if (!node.has("host")) {
            node.error("host", "is required");
        } else {
            Validation.checkWildcardHost(node, "host", rule.host);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rule.subsets.size(); i++) {
            String name = rule.subsets.get(i).name();
            if (!name.isEmpty() && !names.add(name)) {
                node.error(Fields.at("subsets", i) + ".name", "duplicate subset name \"" + name + "\"");
            }
        }
        Validation.checkExportTo(node, "exportTo", rule.exportTo, false);
        if (rule.workloadSelector != null && !rule.exportTo.isEmpty()
                && (rule.exportTo.size() > 1 || rule.exportTo.contains("*"))) {
            node.error("exportTo", "a destination rule with a workload selector cannot be exported beyond its own"
                    + " namespace, got " + rule.exportTo);
        }
        return rule;
    }
}
