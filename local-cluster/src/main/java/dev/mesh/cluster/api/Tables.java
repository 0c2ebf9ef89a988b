package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Server-side printing ({@code meta.k8s.io/v1} Table): the columns {@code kubectl get} shows, with
 * the cells computed as the API server's printers do (pods' READY and STATUS, services' EXTERNAL-IP,
 * a CRD's additionalPrinterColumns, NAME and AGE for everything else).
 */
final class Tables {

    private record Column(String name, String type, String format, int priority, String description) {
    }

    private interface Row {
        List<Object> cells(JsonNode o, Instant now);
    }

    private Tables() {
    }

    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    static ObjectNode table(ResourceType type, List<JsonNode> objects, String includeObject, String resourceVersion,
            Instant now, boolean withColumns) {
        List<Column> columns = new ArrayList<>();
        Row row = printer(type, columns);
        ObjectNode t = Store.JSON.createObjectNode();
        t.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = t.putObject("metadata");
        if (resourceVersion != null) {
            meta.put("resourceVersion", resourceVersion);
        }
        ArrayNode defs = t.putArray("columnDefinitions");
        if (withColumns) {
            for (Column c : columns) {
                defs.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                        .put("description", c.description()).put("priority", c.priority());
            }
        }
        ArrayNode rows = t.putArray("rows");
        for (JsonNode o : objects) {
            ObjectNode r = rows.addObject();
            ArrayNode cells = r.putArray("cells");
            for (Object cell : row.cells(o, now)) {
                if (cell instanceof Integer i) {
                    cells.add(i);
                } else if (cell instanceof Long l) {
                    cells.add(l);
                } else if (cell instanceof JsonNode j) {
                    cells.add(j);
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            String include = includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject;
            if (include.equals("Object")) {
                r.set("object", o);
            } else if (include.equals("Metadata")) {
                ObjectNode partial = r.putObject("object");
                partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", o.path("metadata").deepCopy());
            }
        }
        return t;
    }

    private static Row printer(ResourceType type, List<Column> cols) {
        cols.add(new Column("Name", "string", "name", 0, "Name must be unique within a namespace."));
        if (type.custom()) {
            return customResource(type, cols);
        }
        switch (type.kind()) {
            case "Pod" -> {
                add(cols, "Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic.");
                add(cols, "Status", "string", 0, "The aggregate status of the containers in this pod.");
                add(cols, "Restarts", "string", 0, "The number of times the containers in this pod have been restarted.");
                age(cols);
                add(cols, "IP", "string", 1, "IP address allocated to the pod.");
                add(cols, "Node", "string", 1, "Name of the Node this pod is scheduled on.");
                add(cols, "Nominated Node", "string", 1, "Name of the Node this pod is nominated on.");
                add(cols, "Readiness Gates", "string", 1, "Pod readiness gates.");
                return (o, now) -> List.of(name(o), podReady(o), podStatus(o), podRestarts(o), age(o, now),
                        text(o.path("status").path("podIP"), "<none>"), text(o.path("spec").path("nodeName"), "<none>"),
                        text(o.path("status").path("nominatedNodeName"), "<none>"), "<none>");
            }
            case "Service" -> {
                add(cols, "Type", "string", 0, "The type of service.");
                add(cols, "Cluster-IP", "string", 0, "The cluster IP of the service.");
                add(cols, "External-IP", "string", 0, "The external IPs of the service.");
                add(cols, "Port(s)", "string", 0, "The ports of the service.");
                age(cols);
                add(cols, "Selector", "string", 1, "The label selector of the service.");
                return (o, now) -> List.of(name(o), o.path("spec").path("type").asText("ClusterIP"),
                        text(o.path("spec").path("clusterIP"), "<none>"), externalIps(o), servicePorts(o), age(o, now),
                        labels(o.path("spec").path("selector"), "<none>"));
            }
            case "Deployment" -> {
                add(cols, "Ready", "string", 0, "Number of the pod with ready state.");
                add(cols, "Up-to-date", "integer", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec.");
                add(cols, "Available", "integer", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.");
                age(cols);
                add(cols, "Containers", "string", 1, "Names of each container in the template.");
                add(cols, "Images", "string", 1, "Images referenced by each container in the template.");
                add(cols, "Selector", "string", 1, "Label selector for pods.");
                return (o, now) -> List.of(name(o), o.path("status").path("readyReplicas").asInt(0) + "/"
                        + o.path("spec").path("replicas").asInt(1), o.path("status").path("updatedReplicas").asInt(0),
                        o.path("status").path("availableReplicas").asInt(0), age(o, now), containerField(o, "name"),
                        containerField(o, "image"), labels(o.path("spec").path("selector").path("matchLabels"), "<none>"));
            }
            case "ReplicaSet" -> {
                add(cols, "Desired", "integer", 0, "Number of desired pods.");
                add(cols, "Current", "integer", 0, "Number of actually running pods.");
                add(cols, "Ready", "integer", 0, "Number of ready pods.");
                age(cols);
                return (o, now) -> List.of(name(o), o.path("spec").path("replicas").asInt(1),
                        o.path("status").path("replicas").asInt(0), o.path("status").path("readyReplicas").asInt(0), age(o, now));
            }
            case "Namespace" -> {
                add(cols, "Status", "string", 0, "The status of the namespace");
                age(cols);
                return (o, now) -> List.of(name(o), o.path("status").path("phase").asText("Active"), age(o, now));
            }
            case "EndpointSlice" -> {
                add(cols, "AddressType", "string", 0, "The IP protocol family.");
                add(cols, "Ports", "string", 0, "The ports of the endpoint slice.");
                add(cols, "Endpoints", "string", 0, "The addresses of the endpoint slice.");
                age(cols);
                return (o, now) -> List.of(name(o), o.path("addressType").asText(""), slicePorts(o), sliceEndpoints(o), age(o, now));
            }
            case "ConfigMap" -> {
                add(cols, "Data", "integer", 0, "Number of data entries.");
                age(cols);
                return (o, now) -> List.of(name(o), o.path("data").size() + o.path("binaryData").size(), age(o, now));
            }
            case "Secret" -> {
                add(cols, "Type", "string", 0, "The type of the secret.");
                add(cols, "Data", "integer", 0, "Number of data entries.");
                age(cols);
                return (o, now) -> List.of(name(o), o.path("type").asText("Opaque"), o.path("data").size(), age(o, now));
            }
            case "ServiceAccount" -> {
                add(cols, "Secrets", "integer", 0, "Number of secrets.");
                age(cols);
                return (o, now) -> List.of(name(o), o.path("secrets").size(), age(o, now));
            }
            case "CustomResourceDefinition" -> {
                add(cols, "Created At", "date", 0, "When the CRD was created.");
                return (o, now) -> List.of(name(o), o.path("metadata").path("creationTimestamp").asText(""));
            }
            default -> {
                age(cols);
                return (o, now) -> List.of(name(o), age(o, now));
            }
        }
    }

    private static Row customResource(ResourceType type, List<Column> cols) {
        if (type.printerColumns().isEmpty()) {
            age(cols);
            return (o, now) -> List.of(name(o), age(o, now));
        }
        for (ResourceType.PrinterColumn c : type.printerColumns()) {
            cols.add(new Column(c.name(), c.type(), c.format(), c.priority(), c.description()));
        }
        return (o, now) -> {
            List<Object> cells = new ArrayList<>();
            cells.add(name(o));
            for (ResourceType.PrinterColumn c : type.printerColumns()) {
                JsonNode v = JsonPaths.select(o, c.jsonPath());
                if (v == null || v.isMissingNode() || v.isNull()) {
                    cells.add(Store.JSON.nullNode());
                } else if ("date".equals(c.type())) {
                    cells.add(ageOf(v.asText(), now));
                } else {
                    cells.add(v.isValueNode() ? v : Store.JSON.getNodeFactory().textNode(v.toString()));
                }
            }
            return cells;
        };
    }

    private static void add(List<Column> cols, String name, String type, int priority, String description) {
        cols.add(new Column(name, type, "", priority, description));
    }

    private static void age(List<Column> cols) {
        add(cols, "Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.");
    }

    private static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    private static String text(JsonNode n, String ifMissing) {
        return n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? ifMissing : n.asText();
    }

    private static String age(JsonNode o, Instant now) {
        return ageOf(o.path("metadata").path("creationTimestamp").asText(""), now);
    }

    private static String ageOf(String timestamp, Instant now) {
        if (timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    /** The API server's short human duration (as {@code k8s.io/apimachinery/pkg/util/duration.HumanDuration}). */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }

    static String podReady(JsonNode pod) {
        int total = pod.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode cs : pod.path("status").path("containerStatuses")) {
            if (cs.path("ready").asBoolean(false)) {
                ready++;
            }
        }
        return ready + "/" + total;
    }

    private static String podRestarts(JsonNode pod) {
        long restarts = 0;
        for (JsonNode cs : pod.path("status").path("containerStatuses")) {
            restarts += cs.path("restartCount").asLong(0);
        }
        return Long.toString(restarts);
    }

    /** The STATUS column as kubectl's pod printer computes it. */
    static String podStatus(JsonNode pod) {
        JsonNode status = pod.path("status");
        String reason = status.path("phase").asText("Pending");
        if (!status.path("reason").asText("").isEmpty()) {
            reason = status.path("reason").asText();
        }
        JsonNode inits = status.path("initContainerStatuses");
        boolean initializing = false;
        int i = 0;
        for (JsonNode cs : inits) {
            JsonNode st = cs.path("state");
            if (st.has("terminated") && st.path("terminated").path("exitCode").asInt(0) == 0) {
                i++;
                continue;
            }
            if (st.has("terminated")) {
                JsonNode t = st.path("terminated");
                reason = "Init:" + (t.path("reason").asText("").isEmpty()
                        ? t.path("signal").asInt(0) != 0 ? "Signal:" + t.path("signal").asInt() : "ExitCode:" + t.path("exitCode").asInt()
                        : t.path("reason").asText());
            } else if (st.has("waiting") && !st.path("waiting").path("reason").asText("").isEmpty()
                    && !"PodInitializing".equals(st.path("waiting").path("reason").asText())) {
                reason = "Init:" + st.path("waiting").path("reason").asText();
            } else {
                reason = "Init:" + i + "/" + pod.path("spec").path("initContainers").size();
            }
            initializing = true;
            break;
        }
        if (!initializing) {
            boolean hasRunning = false;
            JsonNode css = status.path("containerStatuses");
            for (int k = css.size() - 1; k >= 0; k--) {
                JsonNode st = css.get(k).path("state");
                if (st.has("waiting") && !st.path("waiting").path("reason").asText("").isEmpty()) {
                    reason = st.path("waiting").path("reason").asText();
                } else if (st.has("terminated")) {
                    JsonNode t = st.path("terminated");
                    reason = !t.path("reason").asText("").isEmpty() ? t.path("reason").asText()
                            : t.path("signal").asInt(0) != 0 ? "Signal:" + t.path("signal").asInt()
                            : "ExitCode:" + t.path("exitCode").asInt();
                } else if (st.has("running") && css.get(k).path("ready").asBoolean(false)) {
                    hasRunning = true;
                }
            }
            if ("Completed".equals(reason) && hasRunning) {
                reason = podReadyCondition(pod) ? "Running" : "NotReady";
            }
        }
        if (pod.path("metadata").has("deletionTimestamp")) {
            reason = "NodeLost".equals(status.path("reason").asText()) ? "Unknown" : "Terminating";
        }
        return reason;
    }

    private static boolean podReadyCondition(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText());
            }
        }
        return false;
    }

    private static String externalIps(JsonNode svc) {
        JsonNode spec = svc.path("spec");
        String type = spec.path("type").asText("ClusterIP");
        List<String> ips = new ArrayList<>();
        spec.path("externalIPs").forEach(n -> ips.add(n.asText()));
        if ("LoadBalancer".equals(type)) {
            for (JsonNode ing : svc.path("status").path("loadBalancer").path("ingress")) {
                ips.add(ing.has("ip") ? ing.path("ip").asText() : ing.path("hostname").asText());
            }
            return ips.isEmpty() ? "<pending>" : String.join(",", ips);
        }
        if ("ExternalName".equals(type)) {
            return spec.path("externalName").asText("<none>");
        }
        return ips.isEmpty() ? "<none>" : String.join(",", ips);
    }

    private static String servicePorts(JsonNode svc) {
        StringJoiner j = new StringJoiner(",");
        for (JsonNode p : svc.path("spec").path("ports")) {
            String proto = p.path("protocol").asText("TCP");
            j.add(p.path("nodePort").asInt(0) > 0 ? p.path("port").asInt() + ":" + p.path("nodePort").asInt() + "/" + proto
                    : p.path("port").asInt() + "/" + proto);
        }
        return j.length() == 0 ? "<none>" : j.toString();
    }

    private static String labels(JsonNode map, String ifEmpty) {
        if (!map.isObject() || map.isEmpty()) {
            return ifEmpty;
        }
        Map<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        StringJoiner j = new StringJoiner(",");
        sorted.forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
    }

    private static String containerField(JsonNode deployment, String field) {
        StringJoiner j = new StringJoiner(",");
        deployment.path("spec").path("template").path("spec").path("containers").forEach(c -> j.add(c.path(field).asText()));
        return j.toString();
    }

    private static String slicePorts(JsonNode slice) {
        StringJoiner j = new StringJoiner(",");
        slice.path("ports").forEach(p -> j.add(p.path("port").asText()));
        return j.length() == 0 ? "<unset>" : j.toString();
    }

    private static String sliceEndpoints(JsonNode slice) {
        List<String> addrs = new ArrayList<>();
        slice.path("endpoints").forEach(e -> e.path("addresses").forEach(a -> addrs.add(a.asText())));
        if (addrs.isEmpty()) {
            return "<unset>";
        }
        return addrs.size() > 3 ? String.join(",", addrs.subList(0, 3)) + " + " + (addrs.size() - 3) + " more..."
                : String.join(",", addrs);
    }
}
