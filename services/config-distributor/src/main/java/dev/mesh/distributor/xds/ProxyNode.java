package dev.mesh.distributor.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A proxy as it introduces itself: node id {@code <type>~<ip>~<pod>.<ns>~<ns>.svc.cluster.local}
 * and metadata (NAMESPACE, LABELS, SERVICE_ACCOUNT, WORKLOAD_NAME, CLUSTER_ID, GENERATOR).
 *
 * @param type      {@code sidecar} or {@code router}; proxyless gRPC clients are {@code sidecar} with
 *                  generator {@code grpc}
 * @param generator {@code grpc} for proxyless gRPC clients, otherwise empty
 */
public record ProxyNode(String id, String type, String ip, String podName, String namespace,
        Map<String, String> labels, String serviceAccount, String workloadName, String clusterId,
        String generator) {

    public ProxyNode {
        labels = Map.copyOf(labels);
    }

    public boolean isRouter() {
        return "router".equals(type);
    }

    public boolean isProxylessGrpc() {
        return "grpc".equals(generator);
    }

    /**
     * Reads the node of a proxy's first request.
     *
     * @throws IllegalArgumentException naming the node id and what is wrong with it
     */
    public static ProxyNode from(Node node) {
        String id = node.getId();
        String[] parts = id.split("~", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("node id \"" + id
                    + "\" is not of the form <type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>");
        }
        String type = parts[0];
        if (!type.equals("sidecar") && !type.equals("router")) {
            throw new IllegalArgumentException("node id \"" + id + "\": proxy type \"" + type
                    + "\" is neither sidecar nor router");
        }
        Struct meta = node.getMetadata();
        String podDotNs = parts[2];
        int dot = podDotNs.lastIndexOf('.');
        String pod = dot > 0 ? podDotNs.substring(0, dot) : podDotNs;
        String namespace = string(meta, "NAMESPACE", dot > 0 ? podDotNs.substring(dot + 1) : "");
        if (namespace.isEmpty()) {
            throw new IllegalArgumentException("node id \"" + id + "\": no namespace in the id or in metadata NAMESPACE");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        Value labelsValue = meta.getFieldsOrDefault("LABELS", Value.getDefaultInstance());
        if (labelsValue.hasStructValue()) {
            labelsValue.getStructValue().getFieldsMap().forEach((k, v) -> labels.put(k, v.getStringValue()));
        }
        return new ProxyNode(id, type, parts[1], pod, namespace, labels, string(meta, "SERVICE_ACCOUNT", ""),
                string(meta, "WORKLOAD_NAME", ""), string(meta, "CLUSTER_ID", "Kubernetes"),
                string(meta, "GENERATOR", ""));
    }

    private static String string(Struct meta, String key, String fallback) {
        Value v = meta.getFieldsOrDefault(key, null);
        return v == null || v.getStringValue().isEmpty() ? fallback : v.getStringValue();
    }
}
