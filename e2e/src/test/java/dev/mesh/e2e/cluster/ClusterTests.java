package dev.mesh.e2e.cluster;

import dev.mesh.cluster.node.HostCommands;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** What every test on the local cluster shares: the root check, and what the cluster leaves on the host. */
final class ClusterTests {

    private ClusterTests() {
    }

    /** Skips without root, with the reason; with {@code CI=true} fails instead, so CI never skips silently. */
    static void requireRoot(String test) {
        boolean root = HostCommands.effectiveUid() == 0;
        String why = test + " runs pods as Linux network namespaces with iptables, which needs root; run the tests"
                + " as root (CI does)";
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(why + ". CI=true, so this fails instead of skipping");
        }
        Assumptions.assumeTrue(root, why);
    }

    /** Network namespaces and host links of the local cluster that exist now. */
    static List<String> leftovers() {
        List<String> left = new java.util.ArrayList<>();
        HostCommands.run(List.of("ip", "netns", "list")).lines().map(l -> l.split(" ")[0])
                .filter(n -> n.startsWith("mesh-")).forEach(n -> left.add("netns " + n));
        HostCommands.run(List.of("ip", "-o", "link", "show")).lines().map(l -> l.split(":")[1].strip().split("@")[0])
                .filter(n -> n.startsWith("meshv") || n.equals("mesh0")).forEach(n -> left.add("link " + n));
        return left;
    }
}
