package dev.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Sidecar capture for real: a "client pod" network namespace with istio-init's iptables rules, the packaged
 * proxy running in it as uid 1337, its config from an ADS server in the test JVM, a backend in a second
 * namespace. The pod's plain {@code curl} to a service IP that exists nowhere reaches the backend only through
 * the proxy; the proxy's own upstream connection is not captured again; inbound traffic to the pod goes
 * through 15006 to the app on 127.0.0.1. Needs root (network namespaces, iptables).
 */
class SidecarCaptureIT {

    private static final String PREFIX = "gpt";
    private static final String SERVICE_VIP = "10.232.0.10";
    private static final String BACKEND_CLUSTER = "outbound|80||backend.demo.svc.cluster.local";

    /**
     * A static file server (python's http.server without its reverse DNS lookup of the bound address, which
     * stalls for the resolver's timeout in a namespace without DNS): {@code <ip> <port> <directory>}.
     */
    private static final String FILE_SERVER = String.join("\n",
            "import functools, http.server, socketserver, sys",
            "handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[3])",
            "socketserver.ThreadingTCPServer.allow_reuse_address = True",
            "server = socketserver.ThreadingTCPServer((sys.argv[1], int(sys.argv[2])), handler)",
            "print('serving', sys.argv[1], sys.argv[2], flush=True)",
            "server.serve_forever()");

    private final List<Process> processes = new ArrayList<>();

    @Test
    void podTraffic_isCapturedRoutedAndNotRecaptured() throws Exception {
        requireRoot();
        removeLeftovers();
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        int subnet = ThreadLocalRandom.current().nextInt(1, 250);
        String client = PREFIX + "c" + id;
        String server = PREFIX + "s" + id;
        String bridge = PREFIX + "b" + id;
        String gateway = "10.231." + subnet + ".1";
        String podIp = "10.231." + subnet + ".2";
        String backendIp = "10.231." + subnet + ".3";
        Path work = Files.createTempDirectory("sidecar-it");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        FakeControlPlane cp = null;
        try {
            run("ip", "netns", "add", client);
            run("ip", "netns", "add", server);
            run("ip", "link", "add", bridge, "type", "bridge");
            run("ip", "addr", "add", gateway + "/24", "dev", bridge);
            run("ip", "link", "set", bridge, "up");
            join(client, bridge, PREFIX + "v" + id + "c", podIp, gateway);
            join(server, bridge, PREFIX + "v" + id + "s", backendIp, gateway);
            installIstioInit(client, work);

            Path backendDir = Files.createDirectories(work.resolve("backend"));
            Files.writeString(backendDir.resolve("hello"), "from-backend");
            Path appDir = Files.createDirectories(work.resolve("app"));
            Files.writeString(appDir.resolve("inbound"), "from-app");
            Path pythonLog = work.resolve("python.log");
            start(pythonLog, "ip", "netns", "exec", server, "/usr/bin/python3", "-u", "-c", FILE_SERVER, backendIp, "8080",
                    backendDir.toString());
            start(pythonLog, "ip", "netns", "exec", client, "/usr/bin/python3", "-u", "-c", FILE_SERVER, "127.0.0.1", "9898",
                    appDir.toString());
            awaitListening(server, backendIp, 8080);
            awaitListening(client, "127.0.0.1", 9898);

            cp = new FakeControlPlane(gateway).start();
            configure(cp, backendIp);

            Path app = stage(Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app")), work.resolve("proxy"));
            Path state = Files.createDirectories(work.resolve("state"));
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path proxyLog = work.resolve("proxy.log");
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", client, "setpriv", "--reuid", "1337",
                    "--regid", "1337", "--clear-groups", java, "-Xmx128m", "-jar", app.resolve("quarkus-run.jar").toString())
                    .redirectErrorStream(true).redirectOutput(proxyLog.toFile());
            pb.environment().putAll(Map.of("MESH_PROXY_MODE", "sidecar", "MESH_PROXY_DISCOVERY_ADDRESS", cp.address(),
                    "MESH_PROXY_SAVED_CONFIG_PATH", state.resolve("saved.pb").toString(), "POD_NAME", "sleep-5d8f7c-x2x9q",
                    "POD_NAMESPACE", "demo", "INSTANCE_IP", podIp, "MESH_PROXY_LABELS", "app=sleep,version=v1"));
            Process proxy = pb.start();
            processes.add(proxy);
            try {
                checkCapture(client, podIp, backendIp, proxy, proxyLog);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n--- proxy log:\n" + Files.readString(proxyLog)
                        + "\n--- python log:\n" + Files.readString(pythonLog), e);
            }
        } finally {
            for (Process p : processes) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            if (cp != null) {
                cp.close();
            }
            exec("ip", "netns", "del", client);
            exec("ip", "netns", "del", server);
            exec("ip", "link", "del", bridge);
            deleteTree(work);
        }
    }

    private void checkCapture(String client, String podIp, String backendIp, Process proxy, Path proxyLog) throws Exception {
        awaitReady("http://" + podIp + ":15021/healthz/ready", proxy, proxyLog);
        assertThat(proxyLog).content().contains("native transport on");
        long uid = realUid(proxy.pid());
        assertThat(uid).as("the proxy's real uid").isEqualTo(1337);

        // 1. The app's plain request to a service IP that no host has: only the proxy can answer it.
        String out = run("ip", "netns", "exec", client, "curl", "-sS", "-m", "5", "-D", "-",
                "http://" + SERVICE_VIP + "/hello");
        assertThat(out).startsWith("HTTP/1.1 200").containsIgnoringCase("server: istio-envoy")
                .containsIgnoringCase("x-envoy-upstream-service-time:").endsWith("from-backend");
        assertThat(redirectCount(client, "ISTIO_REDIRECT")).as("connections REDIRECTed to 15001: the app's only; "
                + "the proxy's own upstream connection (uid 1337) was not captured").isEqualTo(1);
        String stats = get("http://" + podIp + ":15090/stats/prometheus");
        assertThat(count(stats, "istio_requests_total", "reporter=\"source\"",
                "destination_service=\"backend.demo.svc.cluster.local\"", "response_code=\"200\"",
                "source_workload=\"sleep\"")).isEqualTo(1);

        // 2. A destination no listener knows: passed through as TCP to where the app meant to go (ALLOW_ANY).
        out = run("ip", "netns", "exec", client, "curl", "-sS", "-m", "5", "-D", "-", "http://" + backendIp + ":8080/hello");
        assertThat(out).startsWith("HTTP/1.0 200").doesNotContainIgnoringCase("istio-envoy").endsWith("from-backend");
        assertThat(redirectCount(client, "ISTIO_REDIRECT")).isEqualTo(2);
        stats = get("http://" + podIp + ":15090/stats/prometheus");
        assertThat(count(stats, "istio_tcp_connections_opened_total", "destination_service=\"PassthroughCluster\""))
                .isEqualTo(1);

        // 3. Inbound: a request to the pod's port 9898 goes through 15006 to the app on 127.0.0.1:9898.
        HttpResponse<String> inbound = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + podIp + ":9898/inbound")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(inbound.statusCode()).isEqualTo(200);
        assertThat(inbound.body()).isEqualTo("from-app");
        assertThat(inbound.headers().firstValue("server")).hasValue("istio-envoy");
        stats = get("http://" + podIp + ":15090/stats/prometheus");
        assertThat(count(stats, "istio_requests_total", "reporter=\"destination\"", "destination_workload=\"sleep\"",
                "response_code=\"200\"")).isEqualTo(1);

        // 4. A connection to 15001 that iptables did not redirect is refused, never proxied to the proxy itself.
        ProcessResult direct = exec("ip", "netns", "exec", client, "curl", "-sS", "-m", "3", "http://127.0.0.1:15001/");
        assertThat(direct.exit()).as("curl to 15001 directly: " + direct.output()).isNotZero();
        assertThat(proxy.isAlive()).isTrue();
        stats = get("http://" + podIp + ":15090/stats/prometheus");
        assertThat(count(stats, "istio_requests_total", "reporter=\"source\"")).isEqualTo(1);
        assertThat(count(stats, "istio_tcp_connections_opened_total", "reporter=\"source\"")).isEqualTo(1);

        // 5. POST /quitquitquit on the admin port (loopback in the pod): the proxy drains and exits cleanly.
        assertThat(run("ip", "netns", "exec", client, "curl", "-sS", "-m", "5", "-X", "POST",
                "http://127.0.0.1:15000/quitquitquit")).isEqualTo("OK\n");
        assertThat(proxy.waitFor(20, TimeUnit.SECONDS)).as("the proxy exits after /quitquitquit").isTrue();
        assertThat(proxy.exitValue()).isZero();
        assertThat(proxyLog).content().contains("draining: 0 requests in flight");
    }

    private static void requireRoot() throws IOException {
        boolean root = Files.readString(Path.of("/proc/self/status")).lines()
                .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        if (!root) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("SidecarCaptureIT needs root (network namespaces, iptables) and CI=true");
            }
            Assumptions.abort("needs root for network namespaces and iptables: run as root (sudo ./mvnw verify)");
        }
    }

    /** Namespaces and bridges of a run that crashed before its own cleanup. */
    private static void removeLeftovers() throws Exception {
        for (String line : run("ip", "netns", "list").split("\n")) {
            String name = line.split("\\s+")[0];
            if (name.startsWith(PREFIX + "c") || name.startsWith(PREFIX + "s")) {
                exec("ip", "netns", "del", name);
            }
        }
        for (String line : run("ip", "-o", "link", "show", "type", "bridge").split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1 && parts[1].startsWith(PREFIX + "b")) {
                exec("ip", "link", "del", parts[1]);
            }
        }
    }

    private static void join(String ns, String bridge, String hostSide, String ip, String gateway) throws Exception {
        run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "link", "set", hostSide, "master", bridge, "up");
        run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", ns, "route", "add", "default", "via", gateway);
    }

    /** The nat rules istio-init installs (REDIRECT mode), proxy ports 15000-15090 left alone. */
    private static void installIstioInit(String ns, Path work) throws Exception {
        String rules = String.join("\n",
                "*nat",
                ":ISTIO_INBOUND - [0:0]",
                ":ISTIO_IN_REDIRECT - [0:0]",
                ":ISTIO_OUTPUT - [0:0]",
                ":ISTIO_REDIRECT - [0:0]",
                "-A PREROUTING -p tcp -j ISTIO_INBOUND",
                "-A OUTPUT -p tcp -j ISTIO_OUTPUT",
                "-A ISTIO_INBOUND -p tcp --dport 15000:15090 -j RETURN",
                "-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT",
                "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
                "-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN",
                "-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT",
                "-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN",
                "-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN",
                "-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT",
                "-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN",
                "-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN",
                "-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN",
                "-A ISTIO_OUTPUT -j ISTIO_REDIRECT",
                "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
                "COMMIT", "");
        Path file = work.resolve("iptables.rules");
        Files.writeString(file, rules);
        run("ip", "netns", "exec", ns, "iptables-restore", file.toString());
    }

    /** What config-distributor sends a sidecar (its naming), for one HTTP service on a VIP and one inbound port. */
    private static void configure(FakeControlPlane cp, String backendIp) {
        Cluster passthrough = Cluster.newBuilder().setName("PassthroughCluster").setType(Cluster.DiscoveryType.ORIGINAL_DST)
                .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).setConnectTimeout(Resources.millis(10_000)).build();
        Cluster inboundApp = Cluster.newBuilder().setName("inbound|9898||").setType(Cluster.DiscoveryType.STATIC)
                .setConnectTimeout(Resources.millis(10_000))
                .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName("inbound|9898||")
                        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                                .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                        .setAddress(Resources.address("127.0.0.1", 9898))))))
                .build();
        cp.set(XdsState.CDS, List.of(passthrough, passthrough.toBuilder().setName("InboundPassthroughCluster").build(),
                Cluster.newBuilder().setName("BlackHoleCluster").setType(Cluster.DiscoveryType.STATIC).build(),
                Resources.edsCluster(BACKEND_CLUSTER, Cluster.LbPolicy.LEAST_REQUEST), inboundApp));
        ClusterLoadAssignment onLoopback = Resources.endpoints(BACKEND_CLUSTER, "backend-v1@8080");
        LbEndpoint endpoint = onLoopback.getEndpoints(0).getLbEndpoints(0).toBuilder()
                .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                        .setAddress(Resources.address(backendIp, 8080)))
                .build();
        cp.set(XdsState.EDS, List.of(onLoopback.toBuilder()
                .setEndpoints(0, onLoopback.getEndpoints(0).toBuilder().setLbEndpoints(0, endpoint)).build()));
        Listener virtualOutbound = Listener.newBuilder().setName("virtualOutbound")
                .setAddress(Resources.address("0.0.0.0", 15001)).setUseOriginalDst(BoolValue.of(true))
                .setTrafficDirection(TrafficDirection.OUTBOUND)
                .setDefaultFilterChain(FilterChain.newBuilder().setName("PassthroughCluster").addFilters(tcp("PassthroughCluster")))
                .build();
        Listener http80 = Resources.httpListener(80).toBuilder().setBindToPort(BoolValue.of(false))
                .setTrafficDirection(TrafficDirection.OUTBOUND).build();
        HttpConnectionManager inboundHcm = HttpConnectionManager.newBuilder().setStatPrefix("inbound_0.0.0.0_9898")
                .setRouteConfig(RouteConfiguration.newBuilder().setName("inbound|9898||").addVirtualHosts(
                        Resources.host("inbound|http|9898", List.of("*"),
                                Resources.route("default", Resources.prefix("/"), Resources.toCluster("inbound|9898||")))))
                .build();
        Listener virtualInbound = Listener.newBuilder().setName("virtualInbound")
                .setAddress(Resources.address("0.0.0.0", 15006)).setTrafficDirection(TrafficDirection.INBOUND)
                .addFilterChains(FilterChain.newBuilder().setName("inbound|9898||")
                        .setFilterChainMatch(FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(9898)))
                        .addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager")
                                .setTypedConfig(Any.pack(inboundHcm))))
                .setDefaultFilterChain(FilterChain.newBuilder().setName("InboundPassthroughCluster")
                        .addFilters(tcp("InboundPassthroughCluster")))
                .build();
        cp.set(XdsState.LDS, List.of(virtualOutbound, http80, virtualInbound));
        cp.set(XdsState.RDS, List.of(Resources.routes(80,
                Resources.host("backend.demo.svc.cluster.local:80", List.of("backend.demo.svc.cluster.local",
                        "backend.demo.svc.cluster.local:80", SERVICE_VIP, SERVICE_VIP + ":80"),
                        Resources.route("default", Resources.prefix("/"), Resources.toCluster(BACKEND_CLUSTER))),
                Resources.host("allow_any", List.of("*"),
                        Resources.route("allow_any", Resources.prefix("/"), Resources.toCluster("PassthroughCluster"))))));
    }

    private static Filter tcp(String cluster) {
        return Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(Any.pack(
                TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build())).build();
    }

    /** Copies the packaged app somewhere uid 1337 can read (not under root's home or a private temp dir). */
    private static Path stage(Path quarkusApp, Path target) throws IOException {
        if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(quarkusApp + "/quarkus-run.jar does not exist: package the module first");
        }
        Files.walkFileTree(quarkusApp, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path d = Files.createDirectories(target.resolve(quarkusApp.relativize(dir).toString()));
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path f = target.resolve(quarkusApp.relativize(file).toString());
                Files.copy(file, f);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
                return FileVisitResult.CONTINUE;
            }
        });
        return target;
    }

    private static void awaitReady(String url, Process proxy, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!proxy.isAlive()) {
                throw new AssertionError("the proxy exited with " + proxy.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the proxy did not get ready: " + last + "\n" + Files.readString(log));
    }

    private static void awaitListening(String ns, String ip, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!exec("ip", "netns", "exec", ns, "ss", "-Htln", "src", ip + ":" + port).output().contains(":" + port)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing listens on " + ip + ":" + port + " in " + ns);
            }
            Thread.sleep(50);
        }
    }

    private static long realUid(long pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/status")).lines().filter(l -> l.startsWith("Uid:"))
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).findFirst().orElse(-1);
    }

    /** Packets (= connections, nat rules see a connection's first packet only) that jumped to {@code chain}. */
    private static long redirectCount(String ns, String chain) throws Exception {
        String out = run("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-L", chain, "-n", "-v", "-x");
        for (String line : out.split("\n")) {
            if (line.contains("REDIRECT") && line.trim().matches("^\\d+\\s.*")) {
                return Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no REDIRECT rule in " + chain + ":\n" + out);
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Sum of the samples of {@code metric} whose labels contain every one of {@code labels}. */
    private static long count(String prometheus, String metric, String... labels) {
        long sum = 0;
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{([^}]*)\\} (\\d+)$").matcher(prometheus);
        while (m.find()) {
            String found = m.group(1);
            if (java.util.Arrays.stream(labels).allMatch(found::contains)) {
                sum += Long.parseLong(m.group(2));
            }
        }
        return sum;
    }

    private void start(Path log, String... command) throws IOException {
        processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
    }

    private record ProcessResult(int exit, String output) {}

    private static ProcessResult exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return new ProcessResult(p.exitValue(), out);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        ProcessResult r = exec(command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
