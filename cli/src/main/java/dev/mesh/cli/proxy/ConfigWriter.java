package dev.mesh.cli.proxy;

import static dev.mesh.cli.proxy.EnvoyConfigDump.field;
import static dev.mesh.cli.proxy.EnvoyConfigDump.path;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The tables of {@code meshctl proxy-config}, with istioctl's columns, wording, order and spacing (its
 * {@code istioctl/pkg/writer/envoy/configdump} writers): so that what operators grep for in istioctl's output is
 * found in ours.
 */
public final class ConfigWriter {

    static final String HCM = "envoy.filters.network.http_connection_manager";
    static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
    static final String BLACK_HOLE = "BlackHoleCluster";
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Application protocol lists Istio sets on filter chains, and how istioctl names them. */
    private static final Map<String, List<String>> ALPN_NAMES = Map.of(
            "App: HTTP TLS", List.of("http/1.0", "http/1.1", "h2c", "istio-http/1.0", "istio-http/1.1", "istio-h2"),
            "App: Istio HTTP Plain", List.of("istio", "istio-http/1.0", "istio-http/1.1", "istio-h2"),
            "App: TCP TLS", List.of("istio-peer-exchange", "istio"),
            "App: HTTP", List.of("http/1.0", "http/1.1", "h2c"));

    private final EnvoyConfigDump dump;
    private final Clock clock;

    public ConfigWriter(EnvoyConfigDump dump, Clock clock) {
        this.dump = dump;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- clusters

    /** {@code --fqdn}, {@code --port}, {@code --subset}, {@code --direction}: substring matches on the name. */
    public record ClusterFilter(String fqdn, int port, String subset, String direction) {
        public static final ClusterFilter NONE = new ClusterFilter(null, 0, null, null);

        boolean accepts(String name) {
            return (fqdn == null || name.contains(fqdn))
                    && (direction == null || name.contains(direction))
                    && (subset == null || name.contains(subset))
                    && (port == 0 || name.contains("|" + port + "|"));
        }
    }

    /** Istio's cluster name {@code direction|port|subset|host}; other names are the host, with the rest empty. */
    record SubsetKey(String direction, int port, String subset, String host) {
        static SubsetKey of(String name) {
            String[] parts = name.split("\\|", -1);
            if (parts.length > 3) {
                int port;
                try {
                    port = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    port = 0;
                }
                return new SubsetKey(parts[0], port, parts[2], parts[3]);
            }
            return new SubsetKey("", 0, "", name);
        }

        static final Comparator<SubsetKey> ORDER = Comparator.comparing(SubsetKey::host)
                .thenComparing(SubsetKey::subset).thenComparingInt(SubsetKey::port)
                .thenComparing(SubsetKey::direction);
    }

    public List<JsonNode> clusters(ClusterFilter filter) {
        List<JsonNode> clusters = new ArrayList<>(dump.clusters());
        if (clusters.isEmpty()) {
            throw new IllegalStateException("no clusters found");
        }
        clusters.sort(Comparator.comparing(c -> SubsetKey.of(name(c)), SubsetKey.ORDER));
        return clusters.stream().filter(c -> filter.accepts(name(c))).toList();
    }

    public String clusterSummary(ClusterFilter filter) {
        TabWriter w = new TabWriter(5).row("SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE");
        for (JsonNode c : clusters(filter)) {
            String name = name(c);
            String type = field(c, "type").asText("STATIC");
            if (name.split("\\|", -1).length > 3) {
                SubsetKey key = SubsetKey.of(name);
                w.row(key.host(), key.port(), key.subset().isEmpty() ? "-" : key.subset(), key.direction(), type,
                        describeManagement(field(c, "metadata")));
            } else {
                w.row(name, "-", "-", "-", type, describeManagement(field(c, "metadata")));
            }
        }
        return w.render();
    }

    /** The Istio config an xDS resource came from, as {@code name.namespace}, from its {@code istio} metadata. */
    static String describeManagement(JsonNode metadata) {
        JsonNode config = path(metadata, "filterMetadata", "istio", "config");
        if (!config.isTextual()) {
            return "";
        }
        // /apis/networking.istio.io/<version>/namespaces/<namespace>/<kind>/<name>
        String[] pieces = config.asText().split("/", -1);
        if (config.asText().startsWith("/apis/networking.istio.io/") && pieces.length == 8
                && pieces[4].equals("namespaces")) {
            return pieces[7] + "." + pieces[5];
        }
        return "<unknown>";
    }

    // ---------------------------------------------------------------- listeners

    /** {@code --address}, {@code --port}, {@code --type} (HTTP, TCP, HTTP+TCP, UNKNOWN). */
    public record ListenerFilter(String address, int port, String type) {
        public static final ListenerFilter NONE = new ListenerFilter(null, 0, null);

        boolean accepts(JsonNode listener) {
            return (address == null || address.equalsIgnoreCase(ConfigWriter.address(listener)))
                    && (port == 0 || ConfigWriter.port(listener) == port)
                    && (type == null || type.equalsIgnoreCase(listenerType(listener)));
        }
    }

    public List<JsonNode> listeners(ListenerFilter filter) {
        List<JsonNode> listeners = dump.listeners();
        if (listeners.isEmpty()) {
            throw new IllegalStateException("no listeners found");
        }
        return listeners.stream().filter(filter::accepts)
                .sorted(Comparator.comparingInt(ConfigWriter::port).thenComparing(ConfigWriter::address)
                        .thenComparing(ConfigWriter::listenerType))
                .toList();
    }

    public String listenerSummary(ListenerFilter filter) {
        TabWriter w = new TabWriter(1).row("ADDRESSES", "PORT", "MATCH", "DESTINATION");
        for (JsonNode l : listeners(filter)) {
            List<String[]> matches = new ArrayList<>();
            for (JsonNode chain : filterChains(l)) {
                matches.add(new String[] {describeChainMatch(field(chain, "filterChainMatch")),
                        destination(field(chain, "filters"))});
            }
            // istioctl lists a listener's chains by destination, descending
            matches.sort(Comparator.comparing((String[] m) -> m[1]).reversed());
            String addresses = addresses(l);
            for (String[] m : matches) {
                w.row(addresses, port(l), m[0], m[1]);
            }
        }
        return w.render();
    }

    static String address(JsonNode listener) {
        return path(listener, "address", "socketAddress", "address").asText("");
    }

    private static String addresses(JsonNode listener) {
        List<String> all = new ArrayList<>();
        all.add(address(listener));
        for (JsonNode extra : field(listener, "additionalAddresses")) {
            all.add(path(extra, "address", "socketAddress", "address").asText(""));
        }
        return String.join(",", all);
    }

    static int port(JsonNode listener) {
        return path(listener, "address", "socketAddress", "portValue").asInt(0);
    }

    private static List<JsonNode> filterChains(JsonNode listener) {
        List<JsonNode> chains = new ArrayList<>();
        field(listener, "filterChains").forEach(chains::add);
        if (field(listener, "defaultFilterChain").isObject()) {
            chains.add(field(listener, "defaultFilterChain"));
        }
        return chains;
    }

    static String listenerType(JsonNode listener) {
        int http = 0;
        int tcp = 0;
        for (JsonNode chain : filterChains(listener)) {
            for (JsonNode filter : field(chain, "filters")) {
                String name = field(filter, "name").asText("");
                if (name.equals(HCM)) {
                    http++;
                } else if (name.equals(TCP_PROXY) && !filter.toString().contains(BLACK_HOLE)) {
                    tcp++;
                }
            }
        }
        if (http > 0) {
            return tcp == 0 ? "HTTP" : "HTTP+TCP";
        }
        return tcp > 0 ? "TCP" : "UNKNOWN";
    }

    static String describeChainMatch(JsonNode match) {
        List<String> descrs = new ArrayList<>();
        List<String> serverNames = strings(field(match, "serverNames"));
        if (!serverNames.isEmpty()) {
            descrs.add("SNI: " + String.join(",", serverNames));
        }
        String transport = field(match, "transportProtocol").asText("");
        if (!transport.isEmpty()) {
            descrs.add("Trans: " + transport);
        }
        List<String> alpn = strings(field(match, "applicationProtocols"));
        if (!alpn.isEmpty()) {
            descrs.add(ALPN_NAMES.entrySet().stream().filter(e -> e.getValue().equals(alpn)).map(Map.Entry::getKey)
                    .findFirst().orElse("App: " + String.join(",", alpn)));
        }
        String port = field(match, "destinationPort").isMissingNode() ? ""
                : ":" + field(match, "destinationPort").asInt();
        String suffix = field(match, "addressSuffix").asText("");
        if (!suffix.isEmpty()) {
            descrs.add("Addr: " + suffix + port);
        }
        List<String> prefixes = new ArrayList<>();
        for (JsonNode p : field(match, "prefixRanges")) {
            prefixes.add(field(p, "addressPrefix").asText("") + "/" + field(p, "prefixLen").asInt(0));
        }
        if (!prefixes.isEmpty()) {
            descrs.add("Addr: " + String.join(",", prefixes) + port);
        } else if (suffix.isEmpty() && !port.isEmpty()) {
            descrs.add("Addr: *" + port);
        }
        return descrs.isEmpty() ? "ALL" : String.join("; ", descrs);
    }

    static String destination(JsonNode filters) {
        for (JsonNode filter : filters) {
            String name = field(filter, "name").asText("");
            JsonNode config = field(filter, "typedConfig");
            if (name.equals(HCM)) {
                if (field(config, "routeConfig").isObject()) {
                    return describeRouteConfig(field(config, "routeConfig"));
                }
                String rds = path(config, "rds", "routeConfigName").asText("");
                return rds.isEmpty() ? "HTTP" : "Route: " + rds;
            }
            if (name.equals(TCP_PROXY) && !config.toString().contains(BLACK_HOLE)) {
                String cluster = field(config, "cluster").asText("");
                if (cluster.isEmpty() && field(config, "weightedClusters").isObject()) {
                    cluster = strings(field(field(config, "weightedClusters"), "clusters"), "name").stream()
                            .collect(Collectors.joining(","));
                }
                return cluster.contains("Cluster") ? cluster : "Cluster: " + cluster;
            }
        }
        return "Non-HTTP/Non-TCP";
    }

    private static String describeRouteConfig(JsonNode routeConfig) {
        JsonNode vhosts = field(routeConfig, "virtualHosts");
        if (vhosts.size() == 1 && strings(field(vhosts.get(0), "domains")).equals(List.of("*"))
                && field(vhosts.get(0), "routes").size() == 1) {
            JsonNode route = field(vhosts.get(0), "routes").get(0);
            String cluster = path(route, "route", "cluster").asText("");
            if (path(route, "match", "prefix").asText("").equals("/") && !cluster.isEmpty()) {
                return cluster.contains("Cluster") ? cluster : "Cluster: " + cluster;
            }
        }
        List<String> described = new ArrayList<>();
        for (JsonNode vh : vhosts) {
            List<String> domains = strings(field(vh, "domains"));
            List<String> matches = new ArrayList<>();
            field(vh, "routes").forEach(r -> matches.add(describeMatch(field(r, "match"))));
            String routes = String.join(", ", matches);
            described.add(domains.equals(List.of("*")) ? routes : String.join("/", domains) + " " + routes);
        }
        return "Inline Route: " + String.join("; ", described);
    }

    // ---------------------------------------------------------------- routes

    public List<JsonNode> routes(String name) {
        List<JsonNode> routes = new ArrayList<>(dump.routes());
        if (routes.isEmpty()) {
            throw new IllegalStateException("no routes found");
        }
        // Numeric names (port routes) first, by number; then the others by name.
        routes.sort(Comparator.comparing((JsonNode r) -> !isNumber(name(r)))
                .thenComparingLong(r -> isNumber(name(r)) ? Long.parseLong(name(r)) : 0)
                .thenComparing(ConfigWriter::name));
        return routes.stream().filter(r -> name == null || name.equals(name(r))).toList();
    }

    public String routeSummary(String nameFilter) {
        TabWriter w = new TabWriter(5).row("NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE");
        for (JsonNode route : routes(nameFilter)) {
            for (JsonNode vh : field(route, "virtualHosts")) {
                String vhName = field(vh, "name").asText("");
                String domains = describeRouteDomains(strings(field(vh, "domains")));
                for (JsonNode r : field(vh, "routes")) {
                    if (!path(r, "route", "cluster").asText("").equals("PassthroughCluster")) {
                        w.row(name(route), vhName, domains, describeMatch(field(r, "match")),
                                describeManagement(field(r, "metadata")));
                    }
                }
                if (field(vh, "routes").isEmpty()) {
                    w.row(name(route), vhName, domains, "/*", "404");
                }
            }
        }
        return w.render();
    }

    /** One domain as is; several: the shortest spellings without ports, at most two, then how many more. */
    static String describeRouteDomains(List<String> domains) {
        if (domains.isEmpty()) {
            return "";
        }
        if (domains.size() == 1) {
            return domains.get(0);
        }
        List<String> withoutPort = new ArrayList<>();
        for (String d : domains) {
            long colons = d.chars().filter(ch -> ch == ':').count();
            if (colons == 0 || colons > 2 && d.endsWith("]")) {
                withoutPort.add(d);
            }
        }
        Set<String> unique = Set.copyOf(withoutPort);
        List<String> shortest = withoutPort.stream().filter(h -> {
            String full = h.endsWith(".svc.cluster.local") ? h.substring(0, h.length() - ".svc.cluster.local".length()) : h;
            String partial = h.endsWith(".svc") ? h.substring(0, h.length() - ".svc".length()) : h;
            return !(unique.contains(full) && !full.equals(h)) && !(unique.contains(partial) && !partial.equals(h));
        }).toList();
        if (shortest.size() > 2) {
            return String.join(", ", shortest.subList(0, 2)) + " + " + (shortest.size() - 2) + " more...";
        }
        return String.join(", ", shortest);
    }

    static String describeMatch(JsonNode match) {
        List<String> conds = new ArrayList<>();
        if (!field(match, "prefix").asText("").isEmpty()) {
            conds.add(field(match, "prefix").asText() + "*");
        }
        if (!field(match, "pathSeparatedPrefix").asText("").isEmpty()) {
            conds.add("PathPrefix:" + field(match, "pathSeparatedPrefix").asText());
        }
        if (!field(match, "path").asText("").isEmpty()) {
            conds.add(field(match, "path").asText());
        }
        if (field(match, "safeRegex").isObject()) {
            conds.add("regex " + field(field(match, "safeRegex"), "regex").asText(""));
        }
        return String.join(" ", conds);
    }

    // ---------------------------------------------------------------- endpoints

    /** {@code --address} (without port), {@code --port}, {@code --cluster}, {@code --status}. */
    public record EndpointFilter(String address, int port, String cluster, String status) {
        public static final EndpointFilter NONE = new EndpointFilter(null, 0, null, null);

        boolean accepts(JsonNode lbEndpoint, String clusterName) {
            JsonNode socket = path(lbEndpoint, "endpoint", "address", "socketAddress");
            return (address == null || address.equalsIgnoreCase(field(socket, "address").asText("")))
                    && (port == 0 || field(socket, "portValue").asInt(0) == port)
                    && (cluster == null || cluster.equalsIgnoreCase(clusterName))
                    && (status == null || status.equalsIgnoreCase(healthStatus(lbEndpoint)));
        }
    }

    /** The load assignments with at least one endpoint passing the filter, only those endpoints kept. */
    public List<JsonNode> endpoints(EndpointFilter filter) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode cla : dump.endpoints()) {
            String cluster = field(cla, "clusterName").asText("");
            com.fasterxml.jackson.databind.node.ObjectNode copy = cla.deepCopy();
            int kept = 0;
            for (JsonNode locality : field(copy, "endpoints")) {
                var lbEndpoints = field(locality, "lbEndpoints");
                if (lbEndpoints.isArray()) {
                    var array = (com.fasterxml.jackson.databind.node.ArrayNode) lbEndpoints;
                    for (int i = array.size() - 1; i >= 0; i--) {
                        if (!filter.accepts(array.get(i), cluster)) {
                            array.remove(i);
                        }
                    }
                    kept += array.size();
                }
            }
            if (kept > 0) {
                out.add(copy);
            }
        }
        out.sort(Comparator.comparing(c -> SubsetKey.of(field(c, "clusterName").asText("")), SubsetKey.ORDER));
        return out;
    }

    public String endpointSummary(EndpointFilter filter) {
        TabWriter w = new TabWriter(5).row("ENDPOINT", "STATUS", "LOCALITY", "CLUSTER");
        for (JsonNode cla : endpoints(filter)) {
            for (JsonNode locality : field(cla, "endpoints")) {
                for (JsonNode ep : field(locality, "lbEndpoints")) {
                    w.row(endpointAddress(ep), healthStatus(ep), locality(field(locality, "locality")),
                            field(cla, "clusterName").asText(""));
                }
            }
        }
        return w.render();
    }

    private static String endpointAddress(JsonNode lbEndpoint) {
        JsonNode address = path(lbEndpoint, "endpoint", "address");
        if (field(address, "socketAddress").isObject()) {
            JsonNode s = field(address, "socketAddress");
            return field(s, "address").asText("") + ":" + field(s, "portValue").asInt(0);
        }
        return path(address, "pipe", "path").asText("");
    }

    static String healthStatus(JsonNode lbEndpoint) {
        return field(lbEndpoint, "healthStatus").asText("UNKNOWN");
    }

    private static String locality(JsonNode locality) {
        String region = field(locality, "region").asText("");
        String zone = field(locality, "zone").asText("");
        String subZone = field(locality, "subZone").asText("");
        if (zone.isEmpty()) {
            return region;
        }
        return subZone.isEmpty() ? region + "/" + zone : region + "/" + zone + "/" + subZone;
    }

    // ---------------------------------------------------------------- secrets

    public String secretSummary() {
        TabWriter w = new TabWriter(5).row("RESOURCE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER",
                "NOT AFTER", "NOT BEFORE");
        Instant now = clock.instant();
        for (EnvoyConfigDump.Secret s : dump.secrets()) {
            String type;
            JsonNode pem;
            if (field(s.secret(), "tlsCertificate").isObject()) {
                type = "Cert Chain";
                pem = path(s.secret(), "tlsCertificate", "certificateChain");
            } else if (field(s.secret(), "validationContext").isObject()) {
                type = "CA";
                pem = path(s.secret(), "validationContext", "trustedCa");
            } else {
                w.row(s.name(), "", s.status(), "false", "", "", "");
                continue;
            }
            X509Certificate cert = firstCertificate(pem, s.name());
            if (cert == null) {
                w.row(s.name(), type, s.status(), "false", "", "", "");
                continue;
            }
            Instant notAfter = cert.getNotAfter().toInstant();
            Instant notBefore = cert.getNotBefore().toInstant();
            boolean valid = !now.isBefore(notBefore) && !now.isAfter(notAfter);
            w.row(s.name(), type, s.status(), valid, cert.getSerialNumber().toString(16),
                    RFC3339.format(notAfter.truncatedTo(ChronoUnit.SECONDS)),
                    RFC3339.format(notBefore.truncatedTo(ChronoUnit.SECONDS)));
        }
        return w.render();
    }

    /** The first certificate of a DataSource holding PEM: inline bytes (base64 in JSON) or an inline string. */
    private static X509Certificate firstCertificate(JsonNode dataSource, String secretName) {
        byte[] bytes;
        if (field(dataSource, "inlineBytes").isTextual()) {
            bytes = Base64.getDecoder().decode(field(dataSource, "inlineBytes").asText());
        } else if (field(dataSource, "inlineString").isTextual()) {
            bytes = field(dataSource, "inlineString").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else {
            return null;
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("secret " + secretName + ": not a PEM certificate: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- bootstrap

    /** The node the proxy says it is and the xDS server it gets its configuration from. */
    public String bootstrapSummary() {
        JsonNode bootstrap = dump.bootstrap().orElseThrow(() -> new IllegalStateException("no bootstrap found"));
        JsonNode node = field(bootstrap, "node");
        TabWriter w = new TabWriter(5);
        w.row("NODE ID", field(node, "id").asText("-"));
        w.row("NODE CLUSTER", field(node, "cluster").asText("-"));
        JsonNode meta = field(node, "metadata");
        for (String key : List.of("NAMESPACE", "SERVICE_ACCOUNT", "WORKLOAD_NAME", "CLUSTER_ID", "ISTIO_VERSION")) {
            if (field(meta, key).isValueNode()) {
                w.row(key, field(meta, key).asText());
            }
        }
        JsonNode ads = path(bootstrap, "dynamicResources", "adsConfig");
        List<String> servers = new ArrayList<>();
        for (JsonNode grpc : field(ads, "grpcServices")) {
            String cluster = path(grpc, "envoyGrpc", "clusterName").asText("");
            String target = path(grpc, "googleGrpc", "targetUri").asText("");
            servers.add(!cluster.isEmpty() ? cluster + staticClusterAddresses(bootstrap, cluster) : target);
        }
        w.row("XDS SERVER", servers.isEmpty() ? "-" : String.join(", ", servers));
        w.row("XDS API", field(ads, "apiType").asText("-") + " " + field(ads, "transportApiVersion").asText(""));
        return w.render();
    }

    private static String staticClusterAddresses(JsonNode bootstrap, String clusterName) {
        for (JsonNode c : path(bootstrap, "staticResources", "clusters")) {
            if (clusterName.equals(name(c))) {
                List<String> addresses = new ArrayList<>();
                for (JsonNode locality : path(c, "loadAssignment", "endpoints")) {
                    for (JsonNode ep : field(locality, "lbEndpoints")) {
                        addresses.add(endpointAddress(ep));
                    }
                }
                return addresses.isEmpty() ? "" : " (" + String.join(", ", addresses) + ")";
            }
        }
        return "";
    }

    // ---------------------------------------------------------------- helpers

    static String name(JsonNode resource) {
        return field(resource, "name").asText("");
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() < 19 && s.chars().allMatch(Character::isDigit);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static List<String> strings(JsonNode array, String fieldName) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(field(v, fieldName).asText()));
        return out;
    }
}
