package dev.mesh.cluster.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code istio-init} installs in a pod's network namespace, from its arguments ({@code istio-iptables -p 15001
 * -z 15006 -u 1337 -m REDIRECT -i '*' -x '' -b '*' -d 15090,15021,15020 [-o ports]}; see
 * {@code dev.mesh.injection.Injector}): the nat table's ISTIO_INBOUND, ISTIO_IN_REDIRECT, ISTIO_OUTPUT and
 * ISTIO_REDIRECT chains, in the order istio-iptables writes them, as {@code iptables-restore} input. IPv4 only: the
 * local cluster's pods have no IPv6 address, so IPv6 ranges in {@code -i}/{@code -x} are left out.
 *
 * @param proxyPort    {@code -p}: where outbound traffic is redirected
 * @param inboundPort  {@code -z}: where inbound traffic is redirected
 * @param proxyUid     {@code -u}: the proxy's uid, whose traffic is never captured
 * @param proxyGid     {@code -g}: the proxy's gid, same; defaults to the uid
 * @param includeOutbound {@code -i}: CIDRs captured, {@code *} for all, empty for none
 * @param excludeOutbound {@code -x}: CIDRs never captured
 * @param includeInbound  {@code -b}: inbound ports captured, {@code *} for all, empty for none
 * @param excludeInbound  {@code -d}: inbound ports never captured (with {@code -b *})
 * @param excludeOutboundPorts {@code -o}: outbound ports never captured
 */
public record CaptureRules(int proxyPort, int inboundPort, int proxyUid, int proxyGid, List<String> includeOutbound,
        List<String> excludeOutbound, List<String> includeInbound, List<String> excludeInbound,
        List<String> excludeOutboundPorts) {

    /**
     * Reads istio-iptables arguments (the first may be the program name {@code istio-iptables}).
     *
     * @throws IllegalArgumentException naming the flag whose value is missing or not valid, or a flag not known
     */
    public static CaptureRules parse(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        if (!rest.isEmpty() && rest.get(0).equals("istio-iptables")) {
            rest.remove(0);
        }
        int proxy = 15001;
        int inbound = 15006;
        int uid = 1337;
        Integer gid = null;
        List<String> include = List.of("*");
        List<String> exclude = List.of();
        List<String> inPorts = List.of("*");
        List<String> inExclude = List.of();
        List<String> outExclude = List.of();
        for (int i = 0; i < rest.size(); i++) {
            String flag = rest.get(i);
            if (flag.startsWith("--log_output_level") || flag.equals("--dry-run=false")) {
                continue;
            }
            if (i + 1 >= rest.size()) {
                throw new IllegalArgumentException("istio-iptables: " + flag + " needs a value");
            }
            String value = rest.get(++i);
            switch (flag) {
                case "-p" -> proxy = port(flag, value);
                case "-z" -> inbound = port(flag, value);
                case "-u" -> uid = number(flag, value);
                case "-g" -> gid = number(flag, value);
                case "-m" -> {
                    if (!value.equals("REDIRECT")) {
                        throw new IllegalArgumentException("istio-iptables: -m " + value
                                + " is not supported; the local cluster captures with REDIRECT only");
                    }
                }
                case "-i" -> include = list(value);
                case "-x" -> exclude = list(value);
                case "-b" -> inPorts = portList(flag, value);
                case "-d" -> inExclude = portList(flag, value);
                case "-o" -> outExclude = portList(flag, value);
                default -> throw new IllegalArgumentException("istio-iptables: unknown flag " + flag);
            }
        }
        return new CaptureRules(proxy, inbound, uid, gid == null ? uid : gid, ipv4(include), ipv4(exclude), inPorts,
                inExclude, outExclude);
    }

    /** The rules as {@code iptables-restore} input for the nat table. */
    public String restoreInput() {
        List<String> lines = new ArrayList<>();
        lines.add("*nat");
        for (String chain : List.of("ISTIO_INBOUND", "ISTIO_IN_REDIRECT", "ISTIO_OUTPUT", "ISTIO_REDIRECT")) {
            lines.add(":" + chain + " - [0:0]");
        }
        if (!includeInbound.isEmpty()) {
            lines.add("-A PREROUTING -p tcp -j ISTIO_INBOUND");
        }
        lines.add("-A OUTPUT -p tcp -j ISTIO_OUTPUT");
        if (includeInbound.contains("*")) {
            for (String port : excludeInbound) {
                lines.add("-A ISTIO_INBOUND -p tcp --dport " + port + " -j RETURN");
            }
            lines.add("-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT");
        } else {
            for (String port : includeInbound) {
                lines.add("-A ISTIO_INBOUND -p tcp --dport " + port + " -j ISTIO_IN_REDIRECT");
            }
        }
        lines.add("-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports " + inboundPort);
        lines.add("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports " + proxyPort);
        for (String port : excludeOutboundPorts) {
            lines.add("-A ISTIO_OUTPUT -p tcp --dport " + port + " -j RETURN");
        }
        // The proxy's own inbound-passthrough source, then loopback: traffic of the proxy to a local address that
        // is not 127.0.0.1 goes to the inbound listener; the app's loopback traffic and all of the proxy's other
        // traffic are left alone.
        lines.add("-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN");
        lines.add("-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m owner --uid-owner " + proxyUid
                + " -j ISTIO_IN_REDIRECT");
        lines.add("-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner " + proxyUid + " -j RETURN");
        lines.add("-A ISTIO_OUTPUT -m owner --uid-owner " + proxyUid + " -j RETURN");
        lines.add("-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m owner --gid-owner " + proxyGid
                + " -j ISTIO_IN_REDIRECT");
        lines.add("-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner " + proxyGid + " -j RETURN");
        lines.add("-A ISTIO_OUTPUT -m owner --gid-owner " + proxyGid + " -j RETURN");
        lines.add("-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN");
        for (String cidr : excludeOutbound) {
            lines.add("-A ISTIO_OUTPUT -d " + cidr + " -j RETURN");
        }
        if (includeOutbound.contains("*")) {
            lines.add("-A ISTIO_OUTPUT -j ISTIO_REDIRECT");
        } else {
            for (String cidr : includeOutbound) {
                lines.add("-A ISTIO_OUTPUT -d " + cidr + " -j ISTIO_REDIRECT");
            }
        }
        lines.add("COMMIT");
        return String.join("\n", lines) + "\n";
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> ipv4(List<String> cidrs) {
        return cidrs.stream().filter(c -> !c.contains(":")).toList();
    }

    private static List<String> portList(String flag, String value) {
        List<String> ports = list(value);
        for (String p : ports) {
            if (!p.equals("*")) {
                port(flag, p);
            }
        }
        return ports;
    }

    private static int port(String flag, String value) {
        int p = number(flag, value);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("istio-iptables: " + flag + " " + value + " is not a port 1..65535");
        }
        return p;
    }

    private static int number(String flag, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("istio-iptables: " + flag + " \"" + value + "\" is not a number");
        }
    }
}
