package dev.mesh.cluster.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The nat-table rules that make Service addresses work, as kube-proxy's iptables mode writes them: a jump from
 * PREROUTING (pods) and OUTPUT (the host) to {@code MESH-SERVICES}; per service port a chain that picks one ready
 * endpoint at random ({@code statistic --mode random} with probabilities 1/n, 1/(n-1), …, 1) and per endpoint a
 * chain that DNATs to it. Traffic from the pod range is marked and masqueraded, so that a reply from a pod on the
 * same bridge comes back through the host and is un-NATed. Pure: builds {@code iptables-restore} input.
 */
public final class ServiceRules {

    static final String SERVICES = "MESH-SERVICES";
    static final String POSTROUTING = "MESH-POSTROUTING";
    static final String MARK = "0x4000/0x4000";

    /** One service port: where it is reached (cluster IP and load-balancer addresses) and its ready endpoints. */
    public record ServicePort(String service, String portName, String protocol, List<String> addresses, int port,
            List<Endpoint> endpoints) {
    }

    public record Endpoint(String ip, int port) {
    }

    private ServiceRules() {
    }

    /**
     * The {@code iptables-restore --noflush} input that replaces every MESH chain of the nat table with the rules
     * for {@code ports}, deleting {@code staleChains} (per-service chains of the previous sync that are gone).
     *
     * @return the input, and the per-service chains it defines (the next sync's stale candidates)
     */
    public static Restore nat(List<ServicePort> ports, String podCidr, Set<String> staleChains) {
        List<String> chains = new ArrayList<>(List.of(SERVICES, POSTROUTING));
        List<String> rules = new ArrayList<>();
        Set<String> defined = new LinkedHashSet<>();
        rules.add("-A " + POSTROUTING + " -m mark --mark " + MARK + " -j MASQUERADE");
        for (ServicePort sp : ports) {
            if (sp.endpoints().isEmpty()) {
                // kube-proxy rejects these; here the connection is simply refused by nothing listening on the VIP.
                continue;
            }
            String svcChain = chain("MESH-SVC-", sp.service() + "/" + sp.portName() + "/" + sp.protocol());
            defined.add(svcChain);
            String proto = sp.protocol().toLowerCase(java.util.Locale.ROOT);
            for (String address : sp.addresses()) {
                rules.add("-A " + SERVICES + " -d " + address + "/32 -p " + proto + " -m " + proto + " --dport "
                        + sp.port() + " -m comment --comment \"" + sp.service() + ":" + sp.portName() + "\" -j "
                        + svcChain);
            }
            rules.add("-A " + svcChain + " -s " + podCidr + " -j MARK --set-xmark " + MARK);
            int n = sp.endpoints().size();
            for (int i = 0; i < n; i++) {
                Endpoint e = sp.endpoints().get(i);
                String sepChain = chain("MESH-SEP-", sp.service() + "/" + sp.portName() + "/" + e.ip() + ":"
                        + e.port());
                defined.add(sepChain);
                int left = n - i;
                rules.add("-A " + svcChain + (left > 1 ? " -m statistic --mode random --probability "
                        + probability(left) : "") + " -j " + sepChain);
                rules.add("-A " + sepChain + " -p " + proto + " -m " + proto + " -j DNAT --to-destination "
                        + e.ip() + ":" + e.port());
            }
        }
        chains.addAll(defined);
        StringBuilder in = new StringBuilder("*nat\n");
        for (String c : chains) {
            in.append(':').append(c).append(" - [0:0]\n");
        }
        for (String stale : staleChains) {
            if (!defined.contains(stale)) {
                // A chain must be empty and unreferenced to go: declaring it flushes it, the jumps to it are gone.
                in.append(':').append(stale).append(" - [0:0]\n");
            }
        }
        rules.forEach(r -> in.append(r).append('\n'));
        for (String stale : staleChains) {
            if (!defined.contains(stale)) {
                in.append("-X ").append(stale).append('\n');
            }
        }
        in.append("COMMIT\n");
        return new Restore(in.toString(), Set.copyOf(defined));
    }

    /** iptables-restore input and the per-service chains it defines. */
    public record Restore(String input, Set<String> chains) {
    }

    /** 1/left with five decimals, as kube-proxy writes it. */
    static String probability(int left) {
        return String.format(java.util.Locale.ROOT, "%.5f", 1.0 / left);
    }

    /** A chain name at most 28 characters long (iptables' limit), stable for the same key. */
    static String chain(String prefix, String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(hash).substring(0, 16).toUpperCase(java.util.Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
