package dev.mesh.cli.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The config-distributor's {@code /debug/syncz}: per connected proxy and xDS type, what was sent and what was
 * acknowledged; read into istioctl's proxy-status rows.
 */
public final class SyncStatuses {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> TYPES = List.of("CDS", "LDS", "EDS", "RDS", "ECDS");

    private SyncStatuses() {
    }

    /** One proxy as one replica sees it. */
    public record Row(String name, String proxyId, String replica, List<TypeSync> types) {
        public TypeSync type(String shortName) {
            return types.stream().filter(t -> t.type().equals(shortName)).findFirst()
                    .orElse(new TypeSync(shortName, "", "", "", ""));
        }
    }

    /** One type's state: what was sent, acknowledged, and the last rejection. */
    public record TypeSync(String type, String sentVersion, String ackedVersion, String lastNack,
            String nackedVersion) {

        /** istioctl's words: NOT SENT, SYNCED, or STALE when what was sent is not (yet) acknowledged or was NACKed. */
        public String status() {
            if (sentVersion.isEmpty()) {
                return "NOT SENT";
            }
            if (sentVersion.equals(ackedVersion) && (nackedVersion.isEmpty() || !nackedVersion.equals(sentVersion))) {
                return "SYNCED";
            }
            return "STALE";
        }
    }

    /**
     * Reads one replica's syncz answer.
     *
     * @throws IllegalArgumentException naming the replica when it is not syncz's shape
     */
    public static List<Row> parse(String body, String replica) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the /debug/syncz of " + replica + " is not JSON: "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("the /debug/syncz of " + replica + " is not a list of proxies");
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode proxy : root) {
            String id = proxy.path("proxyId").asText("");
            List<TypeSync> types = new ArrayList<>();
            proxy.path("types").fields().forEachRemaining(e -> types.add(new TypeSync(e.getKey(),
                    text(e.getValue(), "sentVersion"), text(e.getValue(), "ackedVersion"),
                    text(e.getValue(), "lastNack"), text(e.getValue(), "nackedVersion"))));
            rows.add(new Row(podDotNamespace(id), id, replica, types));
        }
        return rows;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** {@code <type>~<ip>~<pod>.<ns>~<domain>} to {@code <pod>.<ns>}; an id of another shape stays as is. */
    static String podDotNamespace(String proxyId) {
        String[] parts = proxyId.split("~", -1);
        return parts.length == 4 ? parts[2] : proxyId;
    }

    /** istioctl's table, one row per proxy, in name order. */
    public static String table(List<Row> rows) {
        TabWriter w = new TabWriter(5).row("NAME", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "ECDS", "ISTIOD", "VERSION");
        for (Row r : rows.stream().sorted(Comparator.comparing(Row::name).thenComparing(Row::replica)).toList()) {
            // syncz carries neither the proxy's cluster id nor its version: "-" rather than a guess.
            w.row(r.name(), "-", r.type("CDS").status(), r.type("LDS").status(), r.type("EDS").status(),
                    r.type("RDS").status(), r.type("ECDS").status(), r.replica(), "-");
        }
        return w.render();
    }
}
