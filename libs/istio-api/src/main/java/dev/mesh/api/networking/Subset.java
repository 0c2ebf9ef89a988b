package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.Map;

/**
 * A named group of a service's endpoints, selected by labels (for instance one version).
 *
 * @param trafficPolicy overrides the DestinationRule's for this subset; null when absent
 */
public record Subset(String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {

    public Subset {
        name = Fields.str(name);
        labels = Fields.map(labels);
    }

    public static Subset parse(Node node) {
        Subset subset = new Subset(Fields.string(node, "name"), node.stringMap("labels"),
                node.object("trafficPolicy", TrafficPolicy::parse));
        Destination.checkSubsetName(node, "name", subset.name);
        Validation.checkLabels(node, "labels", subset.labels);
        return subset;
    }
}
