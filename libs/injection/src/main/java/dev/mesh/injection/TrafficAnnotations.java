package dev.mesh.injection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pod's {@code traffic.sidecar.istio.io/*} annotations that steer the capture rules istio-init installs,
 * validated as Istio validates them: IP ranges are comma-separated CIDRs (IPv4 or IPv6), ports are comma-separated
 * numbers 1..65535, and {@code *} (everything) is allowed where Istio allows it (include lists). Blanks around
 * commas are ignored; an empty value means "none".
 *
 * @param includeOutboundIpRanges {@code -i}: destinations to capture, default {@code *}
 * @param excludeOutboundIpRanges {@code -x}: destinations never captured, default empty
 * @param includeInboundPorts     {@code -b}: inbound ports to capture, default {@code *}
 * @param excludeInboundPorts     user part of {@code -d}: inbound ports never captured
 * @param excludeOutboundPorts    {@code -o}: outbound ports never captured, default empty
 */
public record TrafficAnnotations(String includeOutboundIpRanges, String excludeOutboundIpRanges,
        String includeInboundPorts, String excludeInboundPorts, String excludeOutboundPorts) {

    public static final String PREFIX = "traffic.sidecar.istio.io/";
    public static final String INCLUDE_OUTBOUND_IP_RANGES = PREFIX + "includeOutboundIPRanges";
    public static final String EXCLUDE_OUTBOUND_IP_RANGES = PREFIX + "excludeOutboundIPRanges";
    public static final String INCLUDE_INBOUND_PORTS = PREFIX + "includeInboundPorts";
    public static final String EXCLUDE_INBOUND_PORTS = PREFIX + "excludeInboundPorts";
    public static final String EXCLUDE_OUTBOUND_PORTS = PREFIX + "excludeOutboundPorts";

    /**
     * Reads and validates the annotations; all problems are reported together.
     *
     * @throws InjectionRefusedException naming each bad annotation and its value
     */
    public static TrafficAnnotations from(Map<String, String> annotations) {
        List<String> errors = new ArrayList<>();
        TrafficAnnotations t = new TrafficAnnotations(
                cidrs(annotations, INCLUDE_OUTBOUND_IP_RANGES, "*", true, errors),
                cidrs(annotations, EXCLUDE_OUTBOUND_IP_RANGES, "", false, errors),
                ports(annotations, INCLUDE_INBOUND_PORTS, "*", true, errors),
                ports(annotations, EXCLUDE_INBOUND_PORTS, "", false, errors),
                ports(annotations, EXCLUDE_OUTBOUND_PORTS, "", false, errors));
        if (!errors.isEmpty()) {
            throw new InjectionRefusedException(errors);
        }
        return t;
    }

    private static String cidrs(Map<String, String> annotations, String key, String fallback, boolean wildcard,
            List<String> errors) {
        return list(annotations, key, fallback, wildcard, TrafficAnnotations::cidrProblem,
                "CIDRs such as 10.0.0.0/8", errors);
    }

    private static String ports(Map<String, String> annotations, String key, String fallback, boolean wildcard,
            List<String> errors) {
        return list(annotations, key, fallback, wildcard, item ->
                !item.matches("[0-9]{1,5}") || Integer.parseInt(item) < 1 || Integer.parseInt(item) > 65535
                        ? "is not a port number 1..65535" : null,
                "ports such as 8080,9090", errors);
    }

    /**
     * A comma-separated annotation value ({@code fallback} when absent; {@code *} alone when allowed),
     * each item checked by {@code problemOf} (null when fine); problems are added to {@code errors}.
     */
    private static String list(Map<String, String> annotations, String key, String fallback, boolean wildcard,
            java.util.function.Function<String, String> problemOf, String example, List<String> errors) {
        String value = annotations.get(key);
        if (value == null) {
            return fallback;
        }
        List<String> items = items(value);
        if (wildcard && items.equals(List.of("*"))) {
            return "*";
        }
        List<String> bad = new ArrayList<>();
        for (String item : items) {
            String problem = problemOf.apply(item);
            if (problem != null) {
                bad.add("\"" + item + "\" " + problem);
            }
        }
        if (!bad.isEmpty()) {
            errors.add("annotation " + key + "=\"" + value + "\": " + String.join(", ", bad)
                    + " (want comma-separated " + example + (wildcard ? ", or *)" : ")"));
        }
        return String.join(",", items);
    }

    private static List<String> items(String value) {
        List<String> items = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String item = part.strip();
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return items;
    }

    /** Why the text is not a CIDR, or null if it is one. Checked by hand: no name lookups, unlike InetAddress. */
    static String cidrProblem(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return "has no prefix length";
        }
        String address = cidr.substring(0, slash);
        String length = cidr.substring(slash + 1);
        int max;
        if (address.matches("[0-9.]+")) {
            String[] octets = address.split("\\.", -1);
            if (octets.length != 4) {
                return "is not an IPv4 address";
            }
            for (String o : octets) {
                if (o.isEmpty() || o.length() > 3 || Integer.parseInt(o) > 255) {
                    return "is not an IPv4 address";
                }
            }
            max = 32;
        } else if (address.contains(":") && address.matches("[0-9a-fA-F:.]+") && ipv6(address)) {
            max = 128;
        } else {
            return "is not an IP address";
        }
        if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > max) {
            return "has a prefix length outside 0.." + max;
        }
        return null;
    }

    private static boolean ipv6(String address) {
        if (address.indexOf("::") != address.lastIndexOf("::")) {
            return false;
        }
        String[] groups = address.split(":", -1);
        boolean compressed = address.contains("::");
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) {
                continue;
            }
            if (g.contains(".")) {
                if (i != groups.length - 1 || cidrProblem(g + "/32") != null) {
                    return false;
                }
                count += 2;
            } else if (g.length() > 4) {
                return false;
            } else {
                count++;
            }
        }
        return compressed ? count < 8 : count == 8;
    }
}
