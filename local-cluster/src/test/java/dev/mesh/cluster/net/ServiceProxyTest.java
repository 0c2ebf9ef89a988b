package dev.mesh.cluster.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mesh.cluster.node.HostCommands;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service addresses through real iptables: two backends and a client, each in a network namespace on a bridge
 * this test makes; a Service's cluster IP reaches both backends from the client namespace and from the host, and
 * follows endpoint readiness. Needs root (CI runs as root and must not skip).
 */
class ServiceProxyTest {

    private static final String BRIDGE = "mtpbr0";
    private static final String CIDR = "10.250.0.0/24";
    private static final String VIP = "10.97.0.10";
    private static final List<String> NAMESPACES = List.of("mtp-a", "mtp-b", "mtp-c");

    private KubernetesMockServer server;
    private KubernetesClient client;
    private final List<Process> backends = new ArrayList<>();

    @BeforeEach
    void network() throws Exception {
        boolean root = HostCommands.effectiveUid() == 0;
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("ServiceProxyTest needs root for network namespaces and iptables; CI=true, so"
                    + " this fails instead of skipping");
        }
        assumeTrue(root, "ServiceProxyTest needs root (network namespaces, iptables); run the tests as root");
        removeNetwork();
        HostCommands.run(List.of("ip", "link", "add", BRIDGE, "type", "bridge"));
        HostCommands.run(List.of("ip", "addr", "add", "10.250.0.1/24", "dev", BRIDGE));
        HostCommands.run(List.of("ip", "link", "set", BRIDGE, "up"));
        for (int i = 0; i < NAMESPACES.size(); i++) {
            String ns = NAMESPACES.get(i);
            String ip = "10.250.0." + (i + 2);
            HostCommands.run(List.of("ip", "netns", "add", ns));
            HostCommands.run(List.of("ip", "link", "add", "mtpv" + i, "type", "veth", "peer", "name", "eth0",
                    "netns", ns));
            HostCommands.run(List.of("ip", "link", "set", "mtpv" + i, "master", BRIDGE, "up"));
            HostCommands.run(List.of("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0"));
            HostCommands.run(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
            HostCommands.run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
            HostCommands.run(List.of("ip", "-n", ns, "route", "add", "default", "via", "10.250.0.1"));
        }
        String classes = Path.of(NameServer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String java = ProcessHandle.current().info().command().orElse("java");
        for (String name : List.of("a", "b")) {
            backends.add(new ProcessBuilder("ip", "netns", "exec", "mtp-" + name, java, "-Xmx32m", "-cp", classes,
                    NameServer.class.getName(), name, "8080").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (String ip : List.of("10.250.0.2", "10.250.0.3")) {
            await(() -> curl(null, "http://" + ip + ":8080/", 1).isPresent(), "backend " + ip + " listening");
        }
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        client.services().inNamespace("demo").resource(new ServiceBuilder().withNewMetadata().withName("web")
                .withNamespace("demo").endMetadata().withNewSpec().withClusterIP(VIP).addNewPort().withName("http")
                .withPort(80).withTargetPort(new IntOrString(8080)).withProtocol("TCP").endPort().endSpec().build())
                .create();
        client.discovery().v1().endpointSlices().inNamespace("demo").resource(slice(true)).create();
    }

    private static EndpointSlice slice(boolean bReady) {
        return new EndpointSliceBuilder().withNewMetadata().withName("web-abcde").withNamespace("demo")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .addToEndpoints(new EndpointBuilder().withAddresses("10.250.0.2").withNewConditions().withReady(true)
                        .endConditions().build())
                .addToEndpoints(new EndpointBuilder().withAddresses("10.250.0.3").withNewConditions()
                        .withReady(bReady).endConditions().build())
                .build();
    }

    @AfterEach
    void cleanUp() {
        backends.forEach(Process::destroyForcibly);
        if (client != null) {
            client.close();
            server.destroy();
        }
        if (HostCommands.effectiveUid() == 0) {
            removeNetwork();
        }
    }

    @Test
    void clusterIp_reachesEveryReadyEndpoint_fromPodsAndHost_andFollowsReadiness() throws Exception {
        String forwardingBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
        try (ServiceProxy proxy = ServiceProxy.start(client, CIDR)) {
            Set<String> seen = new HashSet<>();
            await(() -> {
                curl("mtp-c", "http://" + VIP + "/", 1).ifPresent(seen::add);
                return seen.containsAll(Set.of("a", "b"));
            }, "the cluster IP answering from both backends (seen " + seen + ")");
            assertThat(curl(null, "http://" + VIP + "/", 2)).as("from the host").isPresent();

            client.discovery().v1().endpointSlices().inNamespace("demo").resource(slice(false)).update();
            await(() -> {
                for (int i = 0; i < 20; i++) {
                    if (!curl("mtp-c", "http://" + VIP + "/", 1).orElse("").equals("a")) {
                        return false;
                    }
                }
                return true;
            }, "only the ready backend a answering");
        }
        String saved = HostCommands.run(List.of("iptables-save"));
        assertThat(saved.lines().filter(l -> l.contains("MESH-SERVICES") || l.contains("MESH-SVC-")
                || l.contains("MESH-SEP-") || l.contains("MESH-FORWARD") || l.contains("MESH-POSTROUTING")))
                .as("iptables after close").isEmpty();
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip()).isEqualTo(forwardingBefore);
    }

    /** One curl, from the host ({@code ns == null}) or inside {@code ns}; the body, or empty when it failed. */
    private static java.util.Optional<String> curl(String ns, String url, int timeoutSeconds) {
        List<String> argv = new ArrayList<>();
        if (ns != null) {
            argv.addAll(List.of("ip", "netns", "exec", ns));
        }
        argv.addAll(List.of("curl", "-s", "-f", "--max-time", String.valueOf(timeoutSeconds), url));
        try {
            return java.util.Optional.of(HostCommands.run(argv).strip());
        } catch (HostCommands.CommandFailedException e) {
            return java.util.Optional.empty();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private static void removeNetwork() {
        for (String ns : NAMESPACES) {
            try {
                HostCommands.run(List.of("ip", "netns", "delete", ns));
            } catch (HostCommands.CommandFailedException e) {
                // not there: nothing to remove
            }
        }
        try {
            HostCommands.run(List.of("ip", "link", "delete", BRIDGE));
        } catch (HostCommands.CommandFailedException e) {
            // not there
        }
    }
}
