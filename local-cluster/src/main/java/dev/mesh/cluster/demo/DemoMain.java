package dev.mesh.cluster.demo;

import dev.mesh.cluster.api.LocalApiServer;
import dev.mesh.cluster.node.LocalNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./mesh demo}: starts the local cluster, runs the walkthrough on it and prints the split; then leaves the
 * cluster running until Ctrl-C (printing what to try), or tears it down at once with {@code --rm}.
 *
 * <p>Arguments: {@code [--rm] [--requests N] [--state-dir DIR]}.
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean rm = false;
        int requests = 100;
        Path stateDir = Path.of("/var/tmp/mesh-demo");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rm" -> rm = true;
                case "--requests" -> requests = positive(args, ++i);
                case "--state-dir" -> stateDir = Path.of(value(args, ++i));
                default -> {
                    System.err.println("demo: unknown argument " + args[i] + "; use [--rm] [--requests N]"
                            + " [--state-dir DIR]");
                    System.exit(64);
                }
            }
        }
        try {
            LocalNode.requireRoot();
        } catch (LocalNode.NeedsRootException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(77);
        }
        Instant start = Instant.now();
        Path root = LocalApiServer.findMeshRoot();
        Walkthrough.Cluster cluster = Walkthrough.startCluster(root, stateDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "demo-shutdown"));
        Walkthrough walkthrough = new Walkthrough(cluster, System.out);
        Duration timeout = Duration.ofMinutes(5);
        Map<String, Integer> counts;
        try {
            walkthrough.installControlPlane(timeout);
            walkthrough.createNamespace();
            walkthrough.deployPodinfo(timeout);
            walkthrough.enableStrictMtls();
            walkthrough.routeCanary();
            counts = walkthrough.countVersions(requests, Duration.ofMinutes(2));
        } catch (RuntimeException e) {
            System.err.println();
            System.err.println("demo failed: " + e.getMessage());
            System.err.println("the cluster is left up for a look (Ctrl-C tears it down): export KUBECONFIG="
                    + cluster.kubeconfig());
            stopped.await();
            System.exit(1);
            return;
        }
        System.out.printf("%nwalkthrough done in %d s: %s%n", Duration.between(start, Instant.now()).toSeconds(),
                counts);
        if (rm) {
            System.out.println("==> tearing the local cluster down (--rm)");
            System.exit(0);
        }
        String gateway = walkthrough.externalIp().orElse("<EXTERNAL-IP>");
        System.out.println("""

                The local cluster stays up until Ctrl-C, which removes every pod, network namespace and process.
                Step 8, the traffic graph (telemetry's page, from a browser on this machine):
                  %s
                Try, in another shell (as root):
                  export KUBECONFIG=%s
                  kubectl -n demo get pods                       # if kubectl is installed
                  curl -s http://%s/version
                  ./mesh meshctl proxy-config cluster <pod>.demo
                  ./mesh meshctl proxy-status
                  ./mesh meshctl analyze -n demo
                """.formatted(walkthrough.graphPage().orElse("(no telemetry pod running)"), cluster.kubeconfig(),
                gateway));
        stopped.await();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("demo: " + args[i - 1] + " needs a value");
            System.exit(64);
        }
        return args[i];
    }

    private static int positive(String[] args, int i) {
        String v = value(args, i);
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("demo: --requests " + v + " is not a positive number");
        System.exit(64);
        return 0;
    }
}
