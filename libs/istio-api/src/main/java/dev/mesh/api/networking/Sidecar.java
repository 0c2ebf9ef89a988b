package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Narrows what the sidecars of the selected workloads listen on and can reach.
 *
 * @param workloadSelector      null: every workload of the namespace without a more specific Sidecar
 * @param inboundConnectionPool null when absent
 * @param outboundTrafficPolicy null when absent (the mesh's default applies)
 */
public record Sidecar(WorkloadSelector workloadSelector, List<IstioIngressListener> ingress,
        List<IstioEgressListener> egress, ConnectionPoolSettings inboundConnectionPool,
        OutboundTrafficPolicy outboundTrafficPolicy) {

    public Sidecar {
        ingress = Fields.list(ingress);
        egress = Fields.list(egress);
    }

    public static Sidecar parse(Node node) {
        Sidecar sidecar = new Sidecar(node.object("workloadSelector", WorkloadSelector::parse),
                node.list("ingress", IstioIngressListener::parse), node.list("egress", IstioEgressListener::parse),
                node.object("inboundConnectionPool", ConnectionPoolSettings::parse),
                node.object("outboundTrafficPolicy", OutboundTrafficPolicy::parse));
        if (sidecar.ingress.isEmpty() && sidecar.egress.isEmpty() && !node.has("outboundTrafficPolicy")
                && !node.has("inboundConnectionPool")) {
            node.error(null, "empty sidecar configuration: set ingress, egress, outboundTrafficPolicy or"
                    + " inboundConnectionPool");
        }
        sidecar.checkIngressPorts(node);
        sidecar.checkEgressListeners(node);
        return sidecar;
    }

    private void checkIngressPorts(Node node) {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < ingress.size(); i++) {
            SidecarPort port = ingress.get(i).port();
            if (port != null && !ports.add(port.number())) {
                node.error(Fields.at("ingress", i) + ".port.number", "ports on IP bound listeners must be unique:"
                        + " port " + port.number() + " is used twice");
            }
        }
    }

    private void checkEgressListeners(Node node) {
        Set<Integer> ports = new HashSet<>();
        Set<String> sockets = new HashSet<>();
        boolean catchAll = false;
        for (int i = 0; i < egress.size(); i++) {
            IstioEgressListener listener = egress.get(i);
            String at = Fields.at("egress", i);
            if (listener.port() == null) {
                if (catchAll) {
                    node.error(at, "egress can have only one listener with empty port");
                } else if (i != egress.size() - 1) {
                    node.error(at, "the egress listener with empty port should be the last listener in the list");
                } else {
                    catchAll = true;
                }
            } else if (listener.port().number() == 0) {
                if (!sockets.add(listener.bind())) {
                    node.error(at + ".bind", "unix domain socket values for listeners must be unique: "
                            + listener.bind());
                }
            } else if (!ports.add(listener.port().number())) {
                node.error(at + ".port.number", "ports on IP bound listeners must be unique: port "
                        + listener.port().number() + " is used twice");
            }
            warnDuplicateHosts(node, at, listener.hosts());
        }
    }

    /** Overlapping egress hosts are harmless but likely a mistake; Istio warns. */
    private static void warnDuplicateHosts(Node node, String at, List<String> hosts) {
        Map<String, Set<String>> byNamespace = new HashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            int slash = host.indexOf('/');
            if (slash < 0) {
                continue;
            }
            Set<String> names = byNamespace.computeIfAbsent(host.substring(0, slash), k -> new HashSet<>());
            String name = host.substring(slash + 1);
            boolean duplicate = name.equals("*") ? !names.isEmpty() : names.contains(name) || names.contains("*");
            if (duplicate) {
                node.warning(at + ".hosts[" + i + "]", "duplicated egress host: " + host);
            }
            names.add(name);
        }
        if (byNamespace.getOrDefault("*", Set.of()).contains("*") && byNamespace.size() != 1) {
            node.warning(at + ".hosts", "`*/*` selects all hosts, no other hosts can be added");
        }
    }
}
