package dev.mesh.cli.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the control plane would send a proxy against what the proxy applied, per xDS type, by resource name: the
 * per-pod view of {@code proxy-status}.
 */
public final class ConfigDiff {

    private ConfigDiff() {
    }

    /** istioctl's lines: "Clusters Match", or "Clusters Don't Match" followed by the resources that differ. */
    public static String describe(EnvoyConfigDump sent, EnvoyConfigDump applied) {
        StringBuilder out = new StringBuilder();
        compare(out, "Clusters", sent.clusters(), applied.clusters(), ConfigWriter::name);
        compare(out, "Listeners", sent.listeners(), applied.listeners(), ConfigWriter::name);
        compare(out, "Routes", sent.routes(), applied.routes(), ConfigWriter::name);
        compare(out, "Endpoints", sent.endpoints(), applied.endpoints(),
                e -> EnvoyConfigDump.field(e, "clusterName").asText(""));
        return out.toString();
    }

    /** True when every type matches. */
    public static boolean matches(EnvoyConfigDump sent, EnvoyConfigDump applied) {
        return !describe(sent, applied).contains("Don't Match");
    }

    private static void compare(StringBuilder out, String what, List<JsonNode> sent, List<JsonNode> applied,
            Function<JsonNode, String> name) {
        Map<String, JsonNode> s = byName(sent, name);
        Map<String, JsonNode> a = byName(applied, name);
        List<String> lines = new ArrayList<>();
        for (var e : s.entrySet()) {
            JsonNode other = a.get(e.getKey());
            if (other == null) {
                lines.add("  - " + e.getKey() + " (sent, not applied)");
            } else if (!other.equals(e.getValue())) {
                lines.add("  ~ " + e.getKey() + " (applied differs from sent)");
            }
        }
        for (String key : a.keySet()) {
            if (!s.containsKey(key)) {
                lines.add("  + " + key + " (applied, no longer sent)");
            }
        }
        if (lines.isEmpty()) {
            out.append(what).append(" Match\n");
        } else {
            out.append(what).append(" Don't Match\n");
            lines.forEach(l -> out.append(l).append('\n'));
        }
    }

    private static Map<String, JsonNode> byName(List<JsonNode> resources, Function<JsonNode, String> name) {
        Map<String, JsonNode> out = new TreeMap<>();
        resources.forEach(r -> out.put(name.apply(r), r));
        return out;
    }
}
