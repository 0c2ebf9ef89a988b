package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The defaulting the API server does on create and update for the kinds the mesh uses, so that
 * stored objects look like a real cluster's (pods Pending with a service account, Services with a
 * cluster IP and complete ports, namespaces Active with the {@code kubernetes} finalizer,
 * Deployments with replicas and a strategy).
 */
final class Defaults {

    private Defaults() {
    }

    static void onCreate(ResourceType t, ObjectNode obj, ClusterIpAllocator ips) {
        if (t.custom()) {
            return;
        }
        switch (t.kind()) {
            case "Pod" -> {
                ObjectNode spec = obj.with("spec");
                podSpec(spec);
                ObjectNode status = obj.with("status");
                if (!status.has("phase")) {
                    status.put("phase", "Pending");
                }
                if (!status.has("qosClass")) {
                    status.put("qosClass", "BestEffort");
                }
            }
            case "Service" -> {
                ObjectNode spec = obj.with("spec");
                String type = spec.path("type").asText("ClusterIP");
                spec.put("type", type);
                if (!"ExternalName".equals(type)) {
                    String requested = spec.path("clusterIP").asText("");
                    if (!"None".equals(requested)) {
                        String ip = ips.allocate(requested, obj.path("metadata").path("name").asText());
                        spec.put("clusterIP", ip);
                        spec.putArray("clusterIPs").add(ip);
                    } else {
                        spec.putArray("clusterIPs").add("None");
                    }
                    if (!spec.has("ipFamilies")) {
                        spec.putArray("ipFamilies").add("IPv4");
                    }
                    if (!spec.has("ipFamilyPolicy")) {
                        spec.put("ipFamilyPolicy", "SingleStack");
                    }
                }
                if (!spec.has("sessionAffinity")) {
                    spec.put("sessionAffinity", "None");
                }
                if (!spec.has("internalTrafficPolicy")) {
                    spec.put("internalTrafficPolicy", "Cluster");
                }
                servicePorts(spec);
                if ("LoadBalancer".equals(type) && !obj.path("status").has("loadBalancer")) {
                    obj.with("status").putObject("loadBalancer");
                }
            }
            case "Namespace" -> {
                ArrayNode fins = obj.with("spec").withArray("finalizers");
                boolean has = false;
                for (JsonNode f : fins) {
                    has |= "kubernetes".equals(f.asText());
                }
                if (!has) {
                    fins.add("kubernetes");
                }
                obj.with("status").put("phase", "Active");
                ObjectNode labels = obj.with("metadata").with("labels");
                labels.put("kubernetes.io/metadata.name", obj.path("metadata").path("name").asText());
            }
            case "Deployment" -> {
                ObjectNode spec = obj.with("spec");
                if (!spec.has("replicas")) {
                    spec.put("replicas", 1);
                }
                if (!spec.has("revisionHistoryLimit")) {
                    spec.put("revisionHistoryLimit", 10);
                }
                if (!spec.has("progressDeadlineSeconds")) {
                    spec.put("progressDeadlineSeconds", 600);
                }
                if (!spec.has("strategy")) {
                    spec.putObject("strategy").put("type", "RollingUpdate").putObject("rollingUpdate")
                            .put("maxSurge", "25%").put("maxUnavailable", "25%");
                }
                podSpec(spec.with("template").with("spec"));
            }
            case "ReplicaSet" -> {
                ObjectNode spec = obj.with("spec");
                if (!spec.has("replicas")) {
                    spec.put("replicas", 1);
                }
                podSpec(spec.with("template").with("spec"));
            }
            default -> {
            }
        }
    }

    static void onUpdate(ResourceType t, ObjectNode current, ObjectNode next, ClusterIpAllocator ips) {
        if (t.custom()) {
            return;
        }
        switch (t.kind()) {
            case "Service" -> {
                ObjectNode spec = next.with("spec");
                JsonNode cur = current.path("spec");
                if (!spec.hasNonNull("clusterIP") || spec.path("clusterIP").asText().isEmpty()) {
                    if (cur.has("clusterIP")) {
                        spec.set("clusterIP", cur.get("clusterIP"));
                    }
                } else if (cur.has("clusterIP") && !cur.path("clusterIP").asText().equals(spec.path("clusterIP").asText())) {
                    throw ApiException.invalid("Service \"" + current.path("metadata").path("name").asText()
                            + "\" is invalid: spec.clusterIPs[0]: Invalid value: \"" + spec.path("clusterIP").asText()
                            + "\": may not change once set");
                }
                if (!spec.has("clusterIPs") && cur.has("clusterIPs")) {
                    spec.set("clusterIPs", cur.get("clusterIPs"));
                }
                for (String kept : new String[] {"ipFamilies", "ipFamilyPolicy", "sessionAffinity", "internalTrafficPolicy"}) {
                    if (!spec.has(kept) && cur.has(kept)) {
                        spec.set(kept, cur.get(kept));
                    }
                }
                if (!spec.has("type")) {
                    spec.put("type", "ClusterIP");
                }
                servicePorts(spec);
            }
            case "Namespace" -> {
                // spec.finalizers change only through /finalize, as in the API server.
                if (current.path("spec").has("finalizers")) {
                    next.with("spec").set("finalizers", current.path("spec").get("finalizers"));
                } else {
                    next.with("spec").remove("finalizers");
                }
                next.with("metadata").with("labels").put("kubernetes.io/metadata.name", current.path("metadata").path("name").asText());
            }
            case "Deployment" -> podSpec(next.with("spec").with("template").with("spec"));
            default -> {
            }
        }
    }

    private static void servicePorts(ObjectNode spec) {
        for (JsonNode p : spec.path("ports")) {
            if (p instanceof ObjectNode port) {
                if (!port.has("protocol")) {
                    port.put("protocol", "TCP");
                }
                if (!port.has("targetPort") && port.has("port")) {
                    port.set("targetPort", port.get("port"));
                }
            }
        }
    }

    private static void podSpec(ObjectNode spec) {
        if (!spec.has("serviceAccountName")) {
            spec.put("serviceAccountName", spec.path("serviceAccount").asText("default"));
        }
        if (!spec.has("restartPolicy")) {
            spec.put("restartPolicy", "Always");
        }
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        if (!spec.has("dnsPolicy")) {
            spec.put("dnsPolicy", "ClusterFirst");
        }
        for (String list : new String[] {"containers", "initContainers"}) {
            for (JsonNode c : spec.path(list)) {
                if (c instanceof ObjectNode container) {
                    for (JsonNode p : container.path("ports")) {
                        if (p instanceof ObjectNode port && !port.has("protocol")) {
                            port.put("protocol", "TCP");
                        }
                    }
                }
            }
        }
    }
}
