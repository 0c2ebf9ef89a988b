package dev.mesh.proxy.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Map;
import java.util.TreeMap;

/** Who this proxy is to the control plane: Istio's node id and node metadata. */
public record NodeIdentity(String mode, String podName, String namespace, String ip, Map<String, String> labels,
        String serviceAccount, String workloadName, String clusterId) {

    /** {@code router~10.0.0.1~gw-abc.istio-system~istio-system.svc.cluster.local}. */
    public String nodeId() {
        return mode + "~" + ip + "~" + podName + "." + namespace + "~" + namespace + ".svc.cluster.local";
    }

    public Node toNode() {
        Struct.Builder labelStruct = Struct.newBuilder();
        labels.forEach((k, v) -> labelStruct.putFields(k, str(v)));
        Struct meta = Struct.newBuilder()
                .putFields("NAMESPACE", str(namespace))
                .putFields("LABELS", Value.newBuilder().setStructValue(labelStruct).build())
                .putFields("SERVICE_ACCOUNT", str(serviceAccount))
                .putFields("WORKLOAD_NAME", str(workloadName))
                .putFields("CLUSTER_ID", str(clusterId))
                .putFields("POD_NAME", str(podName))
                .putFields("INSTANCE_IPS", str(ip))
                .build();
        return Node.newBuilder().setId(nodeId()).setCluster(workloadName + "." + namespace).setMetadata(meta).build();
    }

    /** Parses {@code k=v,k2=v2}; blanks and entries without {@code =} are ignored. */
    public static Map<String, String> parseLabels(String spec) {
        Map<String, String> out = new TreeMap<>();
        if (spec == null) {
            return out;
        }
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return out;
    }

    /**
     * The Deployment name behind a pod name the way Kubernetes builds it ({@code name-<rs hash>-<pod hash>}),
     * else the pod name itself.
     */
    public static String workloadFromPodName(String pod) {
        String[] parts = pod.split("-");
        if (parts.length >= 3 && parts[parts.length - 1].length() == 5) {
            return String.join("-", java.util.Arrays.copyOf(parts, parts.length - 2));
        }
        return pod;
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s == null ? "" : s).build();
    }
}
