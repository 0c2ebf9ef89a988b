package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.Map;

/**
 * A workload outside Kubernetes, here an endpoint of a ServiceEntry.
 *
 * @param address an IP, a hostname (DNS resolution) or {@code unix://path}
 * @param ports   service port name to the port this endpoint listens on, when different
 * @param weight  0 when absent
 */
public record WorkloadEntry(String address, Map<String, Integer> ports, Map<String, String> labels, String network,
        String locality, int weight, String serviceAccount) {

    public WorkloadEntry {
        address = Fields.str(address);
        ports = Fields.map(ports);
        labels = Fields.map(labels);
        network = Fields.str(network);
        locality = Fields.str(locality);
        serviceAccount = Fields.str(serviceAccount);
    }

    public static WorkloadEntry parse(Node node) {
        return new WorkloadEntry(Fields.string(node, "address"), Fields.uint32Map(node, "ports"),
                node.stringMap("labels"), Fields.string(node, "network"), Fields.string(node, "locality"),
                Fields.uint32(node, "weight"), Fields.string(node, "serviceAccount"));
    }
}
