package dev.mesh.telemetry.graph;

import dev.mesh.telemetry.aggregate.Aggregator;
import dev.mesh.telemetry.aggregate.EdgeKey;
import dev.mesh.telemetry.aggregate.EdgeStats;
import dev.mesh.telemetry.model.Peer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the answer of {@code GET /api/namespaces/graph} in Kiali's shape from a window of edge statistics:
 * {@code elements.nodes[].data} and {@code elements.edges[].data} with {@code traffic.rates} (requests per second
 * over the window, shares and error percentages as Kiali formats them: strings with 2 and 1 decimals), response
 * codes, response time and mTLS share. Pure function of its inputs.
 */
public final class GraphBuilder {

    /** A node of the graph: its id and the Kiali fields that describe it. */
    record Node(String id, String nodeType, String namespace, String workload, String app, String version,
            String service) {

        JsonObject toJson() {
            JsonObject data = new JsonObject().put("id", id).put("nodeType", nodeType).put("cluster", "Kubernetes")
                    .put("namespace", namespace);
            putKnown(data, "workload", workload);
            putKnown(data, "app", app);
            putKnown(data, "version", version);
            putKnown(data, "service", service);
            return data;
        }

        private static void putKnown(JsonObject data, String key, String value) {
            if (value != null && !Peer.UNKNOWN.equals(value)) {
                data.put(key, value);
            }
        }
    }

    private record EdgeId(String source, String target, String protocol) {
    }

    /** Everything that crosses one drawn edge. */
    private static final class DrawnEdge {
        final EdgeStats stats = new EdgeStats();
        final Map<String, Long> hosts = new TreeMap<>();
        String sourcePrincipal = Peer.UNKNOWN;
        String destinationPrincipal = Peer.UNKNOWN;
    }

    private GraphBuilder() {
    }

    public static JsonObject build(Aggregator.Snapshot snapshot, GraphQuery query) {
        Map<String, Node> nodes = new TreeMap<>();
        Map<EdgeId, DrawnEdge> edges = new HashMap<>();
        for (Map.Entry<EdgeKey, EdgeStats> entry : snapshot.edges().entrySet()) {
            EdgeKey key = entry.getKey();
            Node source = query.graphType() == GraphType.SERVICE ? sourceAsService(key.source())
                    : node(key.source(), query.graphType());
            Node destination = query.graphType() == GraphType.SERVICE ? destinationAsService(key)
                    : node(key.destination(), query.graphType());
            boolean viaService = query.injectServiceNodes() && query.graphType() != GraphType.SERVICE
                    && !Peer.UNKNOWN.equals(key.destinationService());
            if (viaService) {
                Node service = serviceNode(key);
                if (!inNamespaces(query, source, service) && !inNamespaces(query, service, destination)) {
                    continue;
                }
                addEdge(nodes, edges, source, service, key, entry.getValue());
                addEdge(nodes, edges, service, destination, key, entry.getValue());
            } else {
                if (!inNamespaces(query, source, destination)) {
                    continue;
                }
                addEdge(nodes, edges, source, destination, key, entry.getValue());
            }
        }

        double seconds = snapshot.window().toMillis() / 1000.0;
        Map<String, Long> outbound = new HashMap<>();
        Map<String, EdgeStats> in = new HashMap<>();
        Map<String, EdgeStats> out = new HashMap<>();
        edges.forEach((id, edge) -> {
            outbound.merge(id.source + "|" + id.protocol, edge.stats.requests(), Long::sum);
            in.computeIfAbsent(id.target + "|" + id.protocol, k -> new EdgeStats()).merge(edge.stats);
            out.computeIfAbsent(id.source + "|" + id.protocol, k -> new EdgeStats()).merge(edge.stats);
        });

        JsonArray edgesJson = new JsonArray();
        edges.entrySet().stream()
                .sorted(Map.Entry.comparingByKey((a, b) -> (a.source + a.target + a.protocol)
                        .compareTo(b.source + b.target + b.protocol)))
                .forEach(e -> edgesJson.add(new JsonObject().put("data",
                        edgeJson(e.getKey(), e.getValue(), outbound.get(e.getKey().source + "|" + e.getKey().protocol),
                                seconds))));

        JsonArray nodesJson = new JsonArray();
        for (Node node : nodes.values()) {
            JsonObject data = node.toJson();
            JsonArray traffic = new JsonArray();
            for (String protocol : new String[] {"http", "grpc", "tcp"}) {
                EdgeStats inbound = in.get(node.id + "|" + protocol);
                EdgeStats outgoing = out.get(node.id + "|" + protocol);
                if (inbound == null && outgoing == null) {
                    continue;
                }
                traffic.add(new JsonObject().put("protocol", protocol)
                        .put("rates", nodeRates(protocol, inbound, outgoing, seconds)));
            }
            if (!traffic.isEmpty()) {
                data.put("traffic", traffic);
            }
            boolean hasInbound = in.containsKey(node.id + "|http") || in.containsKey(node.id + "|grpc")
                    || in.containsKey(node.id + "|tcp");
            if (!hasInbound) {
                data.put("isRoot", true);
            }
            if (Peer.UNKNOWN.equals(node.namespace) || !query.namespaces().contains(node.namespace)) {
                data.put("isOutside", !Peer.UNKNOWN.equals(node.namespace));
            }
            nodesJson.add(new JsonObject().put("data", data));
        }
        return new JsonObject()
                .put("timestamp", snapshot.atMillis() / 1000)
                .put("duration", snapshot.window().toSeconds())
                .put("graphType", query.graphType().wireName())
                .put("elements", new JsonObject().put("nodes", nodesJson).put("edges", edgesJson));
    }

    private static void addEdge(Map<String, Node> nodes, Map<EdgeId, DrawnEdge> edges, Node source, Node target,
            EdgeKey key, EdgeStats stats) {
        nodes.putIfAbsent(source.id, source);
        nodes.putIfAbsent(target.id, target);
        DrawnEdge edge = edges.computeIfAbsent(new EdgeId(source.id, target.id, key.protocol()), k -> new DrawnEdge());
        edge.stats.merge(stats);
        edge.hosts.merge(key.destinationService(), stats.requests(), Long::sum);
        edge.sourcePrincipal = key.source().principal();
        edge.destinationPrincipal = key.destination().principal();
    }

    private static boolean inNamespaces(GraphQuery query, Node a, Node b) {
        return query.namespaces().contains(a.namespace) || query.namespaces().contains(b.namespace);
    }

    static Node node(Peer peer, GraphType type) {
        if (peer.isUnknown()) {
            return new Node("unknown", "unknown", Peer.UNKNOWN, null, null, null, null);
        }
        boolean hasApp = !Peer.UNKNOWN.equals(peer.app());
        return switch (type) {
            case APP -> hasApp
                    ? new Node("app:" + peer.namespace() + ":" + peer.app(), "app", peer.namespace(), null,
                            peer.app(), null, null)
                    : workloadNode(peer);
            case VERSIONED_APP -> hasApp
                    ? new Node("app:" + peer.namespace() + ":" + peer.app() + ":" + peer.version(), "app",
                            peer.namespace(), peer.workload(), peer.app(), peer.version(), null)
                    : workloadNode(peer);
            default -> workloadNode(peer);
        };
    }

    private static Node workloadNode(Peer peer) {
        return new Node("workload:" + peer.namespace() + ":" + peer.workload(), "workload", peer.namespace(),
                peer.workload(), peer.app(), peer.version(), null);
    }

    /** In the service graph a caller is drawn as the service of its app (Istio's canonical service). */
    private static Node sourceAsService(Peer peer) {
        if (peer.isUnknown()) {
            return node(peer, GraphType.WORKLOAD);
        }
        if (Peer.UNKNOWN.equals(peer.app())) {
            return workloadNode(peer);
        }
        return new Node("service:" + peer.namespace() + ":" + peer.app(), "service", peer.namespace(), null, null,
                null, peer.app());
    }

    private static Node destinationAsService(EdgeKey key) {
        return Peer.UNKNOWN.equals(key.destinationService()) ? sourceAsService(key.destination()) : serviceNode(key);
    }

    private static Node serviceNode(EdgeKey key) {
        String host = key.destinationService();
        String[] labels = host.split("\\.", 3);
        String name = labels[0];
        String namespace = labels.length >= 2 ? labels[1] : key.destination().namespace();
        return new Node("service:" + namespace + ":" + name, "service", namespace, null, null, null, name);
    }

    private static JsonObject edgeJson(EdgeId id, DrawnEdge edge, long sourceTotal, double seconds) {
        EdgeStats s = edge.stats;
        String p = id.protocol;
        JsonObject rates = new JsonObject();
        if (p.equals("tcp")) {
            rates.put("tcp", rate(s.requestBytes() + s.responseBytes(), seconds));
        } else {
            rates.put(p, rate(s.requests(), seconds));
            rates.put(p + "PercentReq", percent(s.requests(), sourceTotal));
            if (p.equals("http")) {
                putIfPositive(rates, "http3xx", s.withCodeClass(3), seconds);
                putIfPositive(rates, "http4xx", s.withCodeClass(4), seconds);
                putIfPositive(rates, "http5xx", s.withCodeClass(5), seconds);
                putIfPositive(rates, "httpNoResponse", s.withCodeClass(0), seconds);
            } else {
                putIfPositive(rates, "grpcErr", s.errors(), seconds);
            }
            if (s.errors() > 0) {
                rates.put(p + "PercentErr", percent(s.errors(), s.requests()));
            }
        }
        JsonObject responses = new JsonObject();
        s.responses().forEach((code, flags) -> {
            long codeTotal = flags.values().stream().mapToLong(Long::longValue).sum();
            JsonObject flagShares = new JsonObject();
            flags.forEach((flag, count) -> flagShares.put(flag, percent(count, codeTotal)));
            JsonObject hosts = new JsonObject();
            edge.hosts.forEach((host, count) -> hosts.put(host, percent(count, s.requests())));
            responses.put(code, new JsonObject().put("flags", flagShares).put("hosts", hosts));
        });
        JsonObject traffic = new JsonObject().put("protocol", p).put("rates", rates).put("responses", responses);
        JsonObject data = new JsonObject()
                .put("id", id.source + "->" + id.target + (p.equals("http") ? "" : ":" + p))
                .put("source", id.source)
                .put("target", id.target)
                .put("traffic", traffic)
                .put("responseTime", decimal(s.latency().percentileMillis(0.95), 1))
                .put("responseTimes", new JsonObject()
                        .put("avg", decimal(s.latency().averageMillis(), 1))
                        .put("p50", decimal(s.latency().percentileMillis(0.50), 1))
                        .put("p95", decimal(s.latency().percentileMillis(0.95), 1))
                        .put("p99", decimal(s.latency().percentileMillis(0.99), 1)))
                .put("isMTLS", decimal(s.requests() == 0 ? 0 : 100.0 * s.mutualTls() / s.requests(), 0))
                .put("throughput", rate(s.requestBytes() + s.responseBytes(), seconds));
        if (!Peer.UNKNOWN.equals(edge.sourcePrincipal)) {
            data.put("sourcePrincipal", edge.sourcePrincipal);
        }
        if (!Peer.UNKNOWN.equals(edge.destinationPrincipal)) {
            data.put("destPrincipal", edge.destinationPrincipal);
        }
        return data;
    }

    private static JsonObject nodeRates(String p, EdgeStats in, EdgeStats out, double seconds) {
        JsonObject rates = new JsonObject();
        if (p.equals("tcp")) {
            if (in != null) {
                rates.put("tcpIn", rate(in.requestBytes() + in.responseBytes(), seconds));
            }
            if (out != null) {
                rates.put("tcpOut", rate(out.requestBytes() + out.responseBytes(), seconds));
            }
            return rates;
        }
        if (in != null) {
            rates.put(p + "In", rate(in.requests(), seconds));
            if (p.equals("http")) {
                putIfPositive(rates, "httpIn3xx", in.withCodeClass(3), seconds);
                putIfPositive(rates, "httpIn4xx", in.withCodeClass(4), seconds);
                putIfPositive(rates, "httpIn5xx", in.withCodeClass(5), seconds);
                putIfPositive(rates, "httpInNoResponse", in.withCodeClass(0), seconds);
            } else {
                putIfPositive(rates, "grpcInErr", in.errors(), seconds);
            }
        }
        if (out != null) {
            rates.put(p + "Out", rate(out.requests(), seconds));
        }
        return rates;
    }

    private static void putIfPositive(JsonObject rates, String key, long count, double seconds) {
        if (count > 0) {
            rates.put(key, rate(count, seconds));
        }
    }

    private static String rate(long count, double seconds) {
        return decimal(count / seconds, 2);
    }

    private static String percent(long part, long whole) {
        return decimal(whole == 0 ? 0 : 100.0 * part / whole, 1);
    }

    private static String decimal(double value, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", value);
    }
}
