package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.List;
import java.util.Map;

/**
 * Locality-weighted load balancing: either explicit {@code distribute} weights or {@code failover}.
 * Localities are {@code region/zone/subzone}, with an optional trailing {@code *}.
 *
 * @param enabled null when absent
 */
public record LocalityLoadBalancerSetting(List<Distribute> distribute, List<Failover> failover,
        List<String> failoverPriority, Boolean enabled) {

    private static final List<String> TOPOLOGY_LABELS = List.of("topology.kubernetes.io/region",
            "topology.kubernetes.io/zone", "topology.istio.io/subzone");

    public LocalityLoadBalancerSetting {
        distribute = Fields.list(distribute);
        failover = Fields.list(failover);
        failoverPriority = Fields.list(failoverPriority);
    }

    /** Traffic from locality {@code from} is spread over {@code to}, by weights that sum to 100. */
    public record Distribute(String from, Map<String, Integer> to) {

        public Distribute {
            from = Fields.str(from);
            to = Fields.map(to);
        }

        public static Distribute parse(Node node) {
            Distribute distribute = new Distribute(Fields.string(node, "from"), Fields.uint32Map(node, "to"));
            checkLocality(node, "from", distribute.from);
            long total = 0;
            for (Map.Entry<String, Integer> e : distribute.to.entrySet()) {
                if (e.getValue() < 1 || e.getValue() > 100) {
                    node.error("to." + e.getKey(), "locality weight " + e.getValue() + " must be in range [1, 100]");
                }
                total += e.getValue();
                checkLocality(node, "to." + e.getKey(), e.getKey());
            }
            if (total != 100) {
                node.error("to", "total locality weight " + total + " != 100");
            }
            return distribute;
        }
    }

    /** When region {@code from} has no healthy endpoints, traffic goes to region {@code to}. */
    public record Failover(String from, String to) {

        public Failover {
            from = Fields.str(from);
            to = Fields.str(to);
        }

        public static Failover parse(Node node) {
            Failover failover = new Failover(Fields.string(node, "from"), Fields.string(node, "to"));
            if (failover.from.equals(failover.to)) {
                node.error(null, "locality lb failover settings must specify different regions, both are \""
                        + failover.from + "\"");
            }
            if (failover.from.contains("/") || failover.to.contains("/")) {
                node.error(null, "locality lb failover only specifies regions, got \"" + failover.from + "\" -> \""
                        + failover.to + "\"");
            }
            if (failover.from.contains("*") || failover.to.contains("*")) {
                node.error(null, "locality lb failover region should not contain '*' wildcard");
            }
            return failover;
        }
    }

    public static LocalityLoadBalancerSetting parse(Node node) {
        return parse(node, true);
    }

    /** @param hasOutlierDetection failover needs outlier detection to notice unhealthy endpoints */
    static LocalityLoadBalancerSetting parse(Node node, boolean hasOutlierDetection) {
        LocalityLoadBalancerSetting lb = new LocalityLoadBalancerSetting(node.list("distribute", Distribute::parse),
                node.list("failover", Failover::parse), node.strings("failoverPriority"), node.bool("enabled"));
        if (!lb.distribute.isEmpty() && !lb.failover.isEmpty()) {
            node.error(null, "can not simultaneously specify 'distribute' and 'failover'");
        }
        if (!lb.failover.isEmpty()) {
            for (int i = 0; i < lb.failoverPriority.size(); i++) {
                String label = lb.failoverPriority.get(i);
                if (TOPOLOGY_LABELS.contains(label)) {
                    node.error(Fields.at("failoverPriority", i), "can not simultaneously set 'failover' and"
                            + " topology label '" + label + "' in 'failoverPriority'");
                }
            }
        }
        if ((!lb.failover.isEmpty() || !lb.failoverPriority.isEmpty()) && !hasOutlierDetection) {
            node.warning(null, "outlier detection policy must be provided for failover");
        }
        return lb;
    }

    private static void checkLocality(Node node, String field, String locality) {
        long stars = locality.chars().filter(c -> c == '*').count();
        if (stars > 1 || (stars == 1 && !locality.endsWith("*"))) {
            node.error(field, "locality \"" + locality + "\": wildcard '*' can only appear once, at the end");
        }
        for (String part : locality.split("/", 3)) {
            if (part.isEmpty()) {
                node.error(field, "locality \"" + locality + "\" must not contain empty region/zone/subzone");
                return;
            }
        }
    }
}
