package dev.mesh.cluster.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The node's pod network: a Linux bridge owning the first address of the pod range, and per pod a network
 * namespace {@code mesh-<n>} joined to the bridge by a veth pair ({@code meshv<n>} on the host, {@code eth0} in the
 * pod), with the pod's address, loopback up and the default route via the bridge. {@code n} is the pod address's
 * offset in the range, so names and addresses never disagree. Everything it makes carries these prefixes, which is
 * how a crashed run's leftovers are found.
 */
final class NodeNetwork {

    private static final Logger LOG = Logger.getLogger(NodeNetwork.class);
    static final String NETNS_PREFIX = "mesh-";
    static final String VETH_PREFIX = "meshv";
    private static final Path NETNS_ETC = Path.of("/etc/netns");

    /** A pod's network: its namespace, host-side veth and address. */
    record PodNet(String netns, String veth, String ip, int index) {
    }

    private final String bridge;
    private final int network;
    private final int prefix;
    private final BitSet used = new BitSet();

    /**
     * @param bridge  the bridge's name, at most 15 characters
     * @param podCidr the pod range, an IPv4 CIDR with a prefix of 16..28, for example {@code 10.244.0.0/16}
     * @throws IllegalArgumentException naming the value that is not usable
     */
    NodeNetwork(String bridge, String podCidr) {
        if (bridge.isEmpty() || bridge.length() > 15 || !bridge.matches("[a-zA-Z0-9_.-]+")) {
            throw new IllegalArgumentException("bridge name \"" + bridge + "\": want 1..15 letters, digits, . _ -");
        }
        String[] parts = podCidr.split("/", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException("pod CIDR \"" + podCidr + "\" is not address/prefix");
        }
        int p;
        try {
            p = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pod CIDR \"" + podCidr + "\": prefix is not a number");
        }
        if (p < 16 || p > 28) {
            throw new IllegalArgumentException("pod CIDR \"" + podCidr + "\": prefix must be 16..28");
        }
        this.bridge = bridge;
        this.prefix = p;
        this.network = ipv4(parts[0], podCidr) & (int) (0xffffffffL << (32 - p));
    }

    String bridge() {
        return bridge;
    }

    /** The bridge's address: the pods' gateway and how they reach the host. */
    String gateway() {
        return text(network + 1);
    }

    /** Creates the bridge with the gateway address. */
    void up() {
        HostCommands.run(List.of("ip", "-batch", "-"), String.join("\n",
                "link add " + bridge + " type bridge",
                "addr add " + gateway() + "/" + prefix + " dev " + bridge,
                "link set " + bridge + " up") + "\n");
    }

    /** Makes a pod's namespace and link, with {@code hosts} (given the pod's address) as its /etc/hosts. */
    synchronized PodNet attach(java.util.function.Function<String, String> hosts) {
        int size = 1 << (32 - prefix);
        int offset = used.nextClearBit(2);
        if (offset >= size - 1) {
            throw new IllegalStateException("no free pod address left in " + text(network) + "/" + prefix);
        }
        used.set(offset);
        PodNet net = new PodNet(NETNS_PREFIX + offset, VETH_PREFIX + offset, text(network + offset), offset);
        try {
            writeEtc(net.netns(), hosts.apply(net.ip()));
            HostCommands.run(List.of("ip", "netns", "add", net.netns()));
            HostCommands.run(List.of("ip", "-batch", "-"), String.join("\n",
                    "link add " + net.veth() + " type veth peer name eth0 netns " + net.netns(),
                    "link set " + net.veth() + " master " + bridge + " up") + "\n");
            HostCommands.run(List.of("ip", "-n", net.netns(), "-batch", "-"), String.join("\n",
                    "addr add " + net.ip() + "/" + prefix + " dev eth0",
                    "link set eth0 up",
                    "link set lo up",
                    "route add default via " + gateway()) + "\n");
            // As container runtimes do: any uid may bind low ports inside the pod (gateways listen on 80/443).
            HostCommands.run(List.of("ip", "netns", "exec", net.netns(), "sysctl", "-qw",
                    "net.ipv4.ip_unprivileged_port_start=0"));
            return net;
        } catch (RuntimeException e) {
            detach(net);
            throw e;
        }
    }

    /** Replaces the pod's /etc/hosts (seen by processes started after this). */
    void writeHosts(PodNet net, String hosts) {
        writeEtc(net.netns(), hosts);
    }

    /** Removes a pod's namespace (killing what still runs in it), link and /etc files, and frees its address. */
    synchronized void detach(PodNet net) {
        removeNamespace(net.netns());
        if (linkExists(net.veth())) {
            tryRun(List.of("ip", "link", "del", net.veth()));
        }
        used.clear(net.index());
    }

    /** Removes the bridge. */
    void down() {
        if (linkExists(bridge)) {
            tryRun(List.of("ip", "link", "del", bridge));
        }
    }

    /** Everything with the node's names: namespaces (and what runs in them), veths, the bridge, /etc/netns files. */
    void removeLeftovers() {
        for (String ns : namespaces()) {
            LOG.infof("removing network namespace %s left by an earlier run", ns);
            removeNamespace(ns);
        }
        for (String link : links()) {
            if (link.startsWith(VETH_PREFIX)) {
                tryRun(List.of("ip", "link", "del", link));
            }
        }
        if (linkExists(bridge)) {
            LOG.infof("removing bridge %s left by an earlier run", bridge);
            down();
        }
        if (Files.isDirectory(NETNS_ETC)) {
            try (Stream<Path> dirs = Files.list(NETNS_ETC)) {
                for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(NETNS_PREFIX)).toList()) {
                    deleteTree(dir);
                }
            } catch (IOException e) {
                LOG.warnf("cannot list %s: %s", NETNS_ETC, e.getMessage());
            }
        }
    }

    /** The node's network namespaces that exist now. */
    static List<String> namespaces() {
        List<String> out = new ArrayList<>();
        for (String line : HostCommands.run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.strip().split("\\s+", 2)[0];
            if (name.startsWith(NETNS_PREFIX)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Names of all links on the host. */
    static List<String> links() {
        List<String> out = new ArrayList<>();
        for (String line : HostCommands.run(List.of("ip", "-o", "link", "show")).split("\n")) {
            String[] fields = line.split(":\\s+", 3);
            if (fields.length >= 2) {
                out.add(fields[1].split("@", 2)[0]);
            }
        }
        return out;
    }

    static boolean linkExists(String name) {
        return links().contains(name);
    }

    private static void removeNamespace(String netns) {
        if (namespaces().contains(netns)) {
            killAll(netns);
            tryRun(List.of("ip", "netns", "del", netns));
        }
        deleteTree(NETNS_ETC.resolve(netns));
    }

    /** Kills every process in the namespace (SIGKILL; callers that want a graceful stop do that first). */
    private static void killAll(String netns) {
        for (String pid : HostCommands.run(List.of("ip", "netns", "pids", netns)).split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(p -> {
                    p.destroyForcibly();
                    p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> p).join();
                });
            }
        }
    }

    private static void writeEtc(String netns, String hosts) {
        Path dir = NETNS_ETC.resolve(netns);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("hosts"), hosts);
            // No name server: a name not in hosts fails at once instead of waiting on an unreachable resolver.
            Files.writeString(dir.resolve("resolv.conf"), "options timeout:1 attempts:1\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void tryRun(List<String> argv) {
        try {
            HostCommands.run(argv);
        } catch (HostCommands.CommandFailedException e) {
            LOG.warn(e.getMessage());
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", dir, e.getMessage());
        }
    }

    private static int ipv4(String text, String context) {
        String[] octets = text.split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("pod CIDR \"" + context + "\": \"" + text + "\" is not an IPv4 address");
        }
        int ip = 0;
        for (String o : octets) {
            int v;
            try {
                v = Integer.parseInt(o);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("pod CIDR \"" + context + "\": \"" + text
                        + "\" is not an IPv4 address");
            }
            ip = (ip << 8) | v;
        }
        return ip;
    }

    private static String text(int ip) {
        return ((ip >>> 24) & 255) + "." + ((ip >>> 16) & 255) + "." + ((ip >>> 8) & 255) + "." + (ip & 255);
    }
}
