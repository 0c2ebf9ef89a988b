package dev.mesh.bench.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N simulated sidecars (ADS state-of-the-world clients that subscribe and ACK like Envoy: CDS, then
 * EDS for every cluster, LDS, RDS) against the packaged config-distributor, which watches a fabric8
 * mock API server holding S services (each with an EndpointSlice, a DestinationRule with two subsets
 * and a VirtualService). Measures the initial full push, the convergence of a VirtualService change
 * to every client (p50/p99 and the last), and the distributor's heap per connected proxy.
 */
public final class XdsLoad {

    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    private static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    private static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    private static final int NAMESPACES = 10;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path crds = Path.of(args[1]);
        int clients = Integer.parseInt(args[2]);
        int services = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);

        KubernetesMockServer api = new KubernetesMockServer(new Context(), new io.fabric8.mockwebserver.MockWebServer(),
                new HashMap<>(), new KubernetesCrudDispatcher(), true);
        api.init();
        KubernetesClient client = api.createClient();
        for (Path file : Files.list(crds).sorted().toList()) {
            try (InputStream in = Files.newInputStream(file)) {
                client.apiextensions().v1().customResourceDefinitions()
                        .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
            }
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < services; i++) {
            String ns = "ns" + (i % NAMESPACES);
            String name = "svc" + i;
            client.resource(Serialization.unmarshal("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: %1$s, namespace: %2$s}
                    spec:
                      clusterIP: 10.%3$d.%4$d.%5$d
                      selector: {app: %1$s}
                      ports: [{name: http, port: 80, targetPort: 8080}]
                    """.formatted(name, ns, 96 + i / 65536, (i / 256) % 256, i % 256),
                    io.fabric8.kubernetes.api.model.Service.class)).create();
            client.resource(Serialization.unmarshal("""
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata: {name: %1$s-x, namespace: %2$s, labels: {kubernetes.io/service-name: %1$s}}
                    addressType: IPv4
                    ports: [{name: http, port: 8080}]
                    endpoints:
                    - {addresses: [10.200.%3$d.%4$d], targetRef: {kind: Pod, name: %1$s-v1}}
                    - {addresses: [10.201.%3$d.%4$d], targetRef: {kind: Pod, name: %1$s-v2}}
                    """.formatted(name, ns, (i / 256) % 256, i % 256),
                    io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class)).create();
            client.resource(Serialization.unmarshal("""
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: %1$s, namespace: %2$s}
                    spec:
                      host: %1$s
                      subsets:
                      - {name: v1, labels: {version: v1}}
                      - {name: v2, labels: {version: v2}}
                    """.formatted(name, ns), GenericKubernetesResource.class)).create();
            client.resource(virtualService(name, ns, 90)).create();
        }
        System.out.printf("api: %d services (+slices, rules, virtual services) created in %d ms%n", services,
                ms(t0));

        Path kubeconfig = Files.createTempFile("bench-kubeconfig", ".yaml");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: bench, user: {token: bench}}]
                contexts: [{name: mock, context: {cluster: mock, user: bench}}]
                current-context: mock
                """.formatted(client.getMasterUrl().toString()));
        int xdsPort = freePort();
        int httpPort = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("distributor", ".log");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("MESH_DISTRIBUTOR_XDS_PORT", Integer.toString(xdsPort));
        pb.environment().put("MESH_DISTRIBUTOR_HTTP_PORT", Integer.toString(httpPort));
        Process distributor = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            long started = System.nanoTime();
            awaitReady(http, httpPort, distributor, log);
            System.out.printf("distributor: ready (watches synced) %d ms after start, log %s%n", ms(started), log);
            long heapIdle = heapAfterGc(distributor.pid(), http, httpPort);

            int perChannel = 50;
            List<ManagedChannel> channels = new ArrayList<>();
            List<SimulatedProxy> proxies = new ArrayList<>();
            CountDownLatch synced = new CountDownLatch(clients);
            long connectStart = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                if (i % perChannel == 0) {
                    channels.add(Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
                            InsecureChannelCredentials.create()).maxInboundMessageSize(256 << 20).build());
                }
                SimulatedProxy proxy = new SimulatedProxy(i, "ns" + (i % NAMESPACES), synced);
                proxy.start(channels.get(channels.size() - 1));
                proxies.add(proxy);
            }
            if (!synced.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException((clients - synced.getCount()) + " of " + clients
                        + " proxies got their initial config within 10 minutes");
            }
            long initial = ms(connectStart);
            List<Long> firstConfig = new ArrayList<>();
            proxies.forEach(p -> firstConfig.add(p.syncedNanos - connectStart));
            Collections.sort(firstConfig);
            System.out.printf("initial full push to %d proxies: all synced in %d ms (p50 %d ms, p99 %d ms per proxy);"
                    + " per proxy %d clusters, %d endpoint sets, %d listeners, %d route configs%n",
                    clients, initial, pct(firstConfig, 50) / 1_000_000, pct(firstConfig, 99) / 1_000_000,
                    proxies.get(0).count(CDS), proxies.get(0).count(EDS), proxies.get(0).count(LDS),
                    proxies.get(0).count(RDS));
            proxies.get(0).firstArrival.forEach((type, at) -> System.out.printf("  proxy0 first %s after %d ms%n",
                    type, (at - connectStart) / 1_000_000));
            long heapConnected = heapAfterGc(distributor.pid(), http, httpPort);
            System.out.printf("distributor heap after GC: %d MiB idle, %d MiB with %d proxies: %.1f KiB per proxy%n",
                    heapIdle >> 20, heapConnected >> 20, clients, (heapConnected - heapIdle) / 1024.0 / clients);

            List<Long> latencies = new ArrayList<>();
            List<Long> lasts = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                String target = "svc" + round;
                int weight = 50 + round % 40; // every service starts at 90: each round is a real change
                proxies.forEach(p -> p.expectRouteChange());
                long change = System.nanoTime();
                client.resource(virtualService(target, "ns" + (round % NAMESPACES), weight)).update();
                long last = 0;
                for (SimulatedProxy p : proxies) {
                    long at;
                    try {
                        at = p.awaitRouteChange(Duration.ofMinutes(1));
                    } catch (IllegalStateException e) {
                        System.err.println(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                                + "/debug/syncz")).build(), HttpResponse.BodyHandlers.ofString()).body()
                                .lines().limit(60).reduce("", (a, b) -> a + "\n" + b));
                        throw e;
                    }
                    latencies.add(at - change);
                    last = Math.max(last, at - change);
                }
                lasts.add(last);
                System.out.printf("round %d: VirtualService %s weight %d reached all %d proxies in %d ms%n", round,
                        target, weight, clients, last / 1_000_000);
            }
            Collections.sort(latencies);
            Collections.sort(lasts);
            System.out.printf("convergence of a VirtualService change over %d rounds x %d proxies: p50 %d ms,"
                    + " p99 %d ms, slowest full convergence %d ms%n", rounds, clients, pct(latencies, 50) / 1_000_000,
                    pct(latencies, 99) / 1_000_000, lasts.get(lasts.size() - 1) / 1_000_000);
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(l -> l.startsWith("pilot_"))
                    .forEach(l -> System.out.println("metric " + l));
            channels.forEach(ManagedChannel::shutdownNow);
        } finally {
            distributor.destroy();
            distributor.waitFor(10, TimeUnit.SECONDS);
            api.destroy();
        }
    }

    private static GenericKubernetesResource virtualService(String name, String ns, int v1Weight) {
        return Serialization.unmarshal("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  hosts: [%1$s]
                  http:
                  - route:
                    - {destination: {host: %1$s, subset: v1}, weight: %3$d}
                    - {destination: {host: %1$s, subset: v2}, weight: %4$d}
                """.formatted(name, ns, v1Weight, 100 - v1Weight), GenericKubernetesResource.class);
    }

    /** One sidecar's ADS stream: subscribes as Envoy does and ACKs every response. */
    private static final class SimulatedProxy implements StreamObserver<DiscoveryResponse> {
        private final int index;
        private final String namespace;
        private final CountDownLatch synced;
        private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<String, String> versions = new ConcurrentHashMap<>();
        private StreamObserver<DiscoveryRequest> requests;
        private volatile List<String> edsNames = List.of();
        private volatile long syncedNanos;
        private final ConcurrentHashMap<String, Long> firstArrival = new ConcurrentHashMap<>();
        private volatile CountDownLatch routeChanged = new CountDownLatch(1);
        private volatile long routeChangedAt;
        private volatile boolean waitingForRoute;

        SimulatedProxy(int index, String namespace, CountDownLatch synced) {
            this.index = index;
            this.namespace = namespace;
            this.synced = synced;
        }

        void start(ManagedChannel channel) {
            requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(this);
            send(DiscoveryRequest.newBuilder().setNode(Node.newBuilder()
                    .setId("sidecar~10.250." + (index / 256) + "." + (index % 256) + "~proxy" + index + "." + namespace
                            + "~" + namespace + ".svc.cluster.local"))
                    .setTypeUrl(CDS).build());
            send(DiscoveryRequest.newBuilder().setTypeUrl(LDS).build());
        }

        private synchronized void send(DiscoveryRequest request) {
            requests.onNext(request);
        }

        int count(String type) {
            return counts.getOrDefault(type, 0);
        }

        @Override
        public void onNext(DiscoveryResponse response) {
            String type = response.getTypeUrl();
            firstArrival.putIfAbsent(type.substring(type.lastIndexOf('.') + 1), System.nanoTime());
            counts.put(type, response.getResourcesCount());
            String previous = versions.put(type, response.getVersionInfo());
            DiscoveryRequest.Builder ack = DiscoveryRequest.newBuilder().setTypeUrl(type)
                    .setVersionInfo(response.getVersionInfo()).setResponseNonce(response.getNonce());
            if (type.equals(CDS)) {
                List<String> names = new ArrayList<>();
                try {
                    for (var any : response.getResourcesList()) {
                        Cluster c = any.unpack(Cluster.class);
                        if (c.getType() == Cluster.DiscoveryType.EDS) {
                            names.add(c.getName());
                        }
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
                send(ack.build());
                if (!names.equals(edsNames)) {
                    edsNames = List.copyOf(names);
                    send(DiscoveryRequest.newBuilder().setTypeUrl(EDS).addAllResourceNames(names).build());
                }
                return;
            }
            if (type.equals(EDS)) {
                ack.addAllResourceNames(edsNames); // in state of the world, every request restates the subscription
            }
            if (type.equals(LDS) && previous == null) {
                send(ack.build());
                send(DiscoveryRequest.newBuilder().setTypeUrl(RDS).addResourceNames("80").build());
                return;
            }
            if (type.equals(RDS)) {
                ack.addResourceNames("80");
                if (previous == null) {
                    syncedNanos = System.nanoTime();
                    synced.countDown();
                } else if (waitingForRoute && !response.getVersionInfo().equals(previous)) {
                    waitingForRoute = false;
                    routeChangedAt = System.nanoTime();
                    routeChanged.countDown();
                }
            }
            send(ack.build());
        }

        void expectRouteChange() {
            routeChanged = new CountDownLatch(1);
            waitingForRoute = true;
        }

        long awaitRouteChange(Duration timeout) throws InterruptedException {
            if (!routeChanged.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("proxy" + index + " did not get the route change within " + timeout);
            }
            return routeChangedAt;
        }

        @Override
        public void onError(Throwable t) {
            System.err.println("proxy" + index + " stream failed: " + t);
        }

        @Override
        public void onCompleted() {
        }
    }

    private static long heapAfterGc(long pid, HttpClient http, int port) throws Exception {
        new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        Thread.sleep(500);
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"} ([0-9.E+]+)$").matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return (long) total;
    }

    private static void awaitReady(HttpClient http, int port, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("distributor exited:\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("distributor not ready within 5 minutes:\n" + Files.readString(log));
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
