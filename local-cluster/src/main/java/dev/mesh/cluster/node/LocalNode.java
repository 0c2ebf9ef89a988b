package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.cluster.api.PodLogProvider;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The local cluster's kubelet: watches every Pod through the API and runs each in its own network namespace on
 * the node's bridge (see {@link PodRunner}), writes their status back, and tears them down when they are deleted.
 * {@link #close()} (also run by a JVM shutdown hook, so Ctrl-C cleans up) stops every pod and removes every
 * namespace, link, process and mount point the node made; the next start removes what a crashed run left.
 *
 * <p>Pod state changes on one thread, the node's executor; probes run on their own small pool and report back to it.
 */
public final class LocalNode implements PodLogProvider, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalNode.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The node cannot run: network namespaces need root. */
    public static final class NeedsRootException extends RuntimeException {
        NeedsRootException(String message) {
            super(message);
        }
    }

    private final KubernetesClient client;
    private final NodeOptions options;
    private final NodeState state;
    private final NodeNetwork network;
    private final ImageCatalog images;
    private final ImageStage stage;
    private final PodVolumes volumes;
    private final String javaCommand;
    private final ScheduledExecutorService executor;
    private final ScheduledExecutorService probes;
    private final ExecutorService teardown;
    private final Map<String, PodRunner> pods = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> lastStatus = new HashMap<>();
    private final List<CompletableFuture<Void>> stopping = new ArrayList<>();
    private final Thread shutdownHook;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private SharedIndexInformer<Pod> informer;
    private SharedIndexInformer<Service> services;
    private boolean hostsRefreshQueued;
    /** Set on the executor once closing starts: no pod starts and no status is written after it. */
    private volatile boolean closed;

    private LocalNode(KubernetesClient client, ServiceAccountTokens tokens, NodeOptions options, NodeState state,
            NodeNetwork network) {
        this.client = client;
        this.options = options;
        this.state = state;
        this.network = network;
        this.images = new ImageCatalog(options.meshRoot());
        this.stage = new ImageStage(options.runDir());
        this.volumes = new PodVolumes(client, tokens, options.apiServer().map(NodeOptions.ApiAccess::caPem)
                .orElse(null));
        this.javaCommand = ProcessHandle.current().info().command().orElse("java");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "mesh-node"));
        this.probes = Executors.newScheduledThreadPool(2, r -> thread(r, "mesh-node-probe"));
        this.teardown = Executors.newCachedThreadPool(r -> thread(r, "mesh-node-teardown"));
        this.shutdownHook = new Thread(this::closeQuietly, "mesh-node-shutdown");
    }

    /**
     * Starts the node: removes what an earlier run left, makes the bridge and starts watching pods.
     *
     * @throws NeedsRootException when not run as root
     * @throws IllegalStateException when another node runs on this machine
     */
    public static LocalNode start(KubernetesClient client, ServiceAccountTokens tokens, NodeOptions options)
            throws IOException {
        requireRoot();
        NodeNetwork network = new NodeNetwork(options.bridge(), options.podCidr());
        NodeState state = NodeState.open(options.runDir());
        LocalNode node = new LocalNode(client, tokens, options, state, network);
        try {
            network.removeLeftovers();
            NodeNetwork.deleteTree(options.runDir().resolve("pods"));
            network.up();
            Runtime.getRuntime().addShutdownHook(node.shutdownHook);
            node.informer = client.pods().inAnyNamespace().inform(node.new Events(), 0);
            node.services = client.services().inAnyNamespace().inform(node.new ServiceEvents(), 0);
            LOG.infof("local node up: bridge %s (%s), pods in %s, files in %s", options.bridge(), network.gateway(),
                    options.podCidr(), options.runDir());
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** @throws NeedsRootException unless this process runs as root */
    public static void requireRoot() {
        requireRoot(HostCommands.effectiveUid());
    }

    static void requireRoot(int uid) {
        if (uid != 0) {
            throw new NeedsRootException("the local cluster runs every pod in its own Linux network namespace"
                    + " (ip netns, veth pairs on a bridge, iptables capture rules), and making those needs root;"
                    + " this process runs as uid " + uid + ". Run it as root instead: sudo ./mesh demo");
        }
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private final class Events implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            JsonNode json = JSON.valueToTree(pod);
            execute(() -> sync(json));
        }

        @Override
        public void onUpdate(Pod old, Pod pod) {
            JsonNode json = JSON.valueToTree(pod);
            execute(() -> sync(json));
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            String uid = pod.getMetadata().getUid();
            execute(() -> {
                PodRunner runner = pods.get(key);
                if (runner != null && (uid == null || runner.uid.isEmpty() || uid.equals(runner.uid))) {
                    remove(runner, gracePeriod(JSON.valueToTree(pod)));
                }
            });
        }
    }

    /** Any Service change rewrites the pods' /etc/hosts (at most every 200 ms). */
    private final class ServiceEvents implements ResourceEventHandler<Service> {
        @Override
        public void onAdd(Service service) {
            refreshHostsSoon();
        }

        @Override
        public void onUpdate(Service old, Service service) {
            if (!java.util.Objects.equals(old.getSpec(), service.getSpec())) {
                refreshHostsSoon();
            }
        }

        @Override
        public void onDelete(Service service, boolean finalStateUnknown) {
            refreshHostsSoon();
        }
    }

    private void refreshHostsSoon() {
        execute(() -> {
            if (!hostsRefreshQueued) {
                hostsRefreshQueued = true;
                schedule(Duration.ofMillis(200), () -> {
                    hostsRefreshQueued = false;
                    List<Service> all = listServices();
                    pods.values().forEach(runner -> runner.refreshHosts(all));
                });
            }
        });
    }

    private void sync(JsonNode pod) {
        if (closed) {
            return;
        }
        JsonNode metadata = pod.path("metadata");
        String key = metadata.path("namespace").asText("default") + "/" + metadata.path("name").asText();
        PodRunner runner = pods.get(key);
        String uid = metadata.path("uid").asText("");
        if (runner != null && !uid.isEmpty() && !runner.uid.isEmpty() && !uid.equals(runner.uid)) {
            remove(runner, gracePeriod(pod));
            runner = null;
        }
        if (metadata.hasNonNull("deletionTimestamp")) {
            // A graceful delete: stop the containers, then remove the object for good.
            PodRunner terminating = runner;
            CompletableFuture<Void> stopped = terminating != null ? remove(terminating, gracePeriod(pod))
                    : CompletableFuture.completedFuture(null);
            stopped.thenRun(() -> deleteNow(metadata));
            return;
        }
        if (runner != null) {
            return;
        }
        String phase = pod.path("status").path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            return;
        }
        runner = new PodRunner(this, pod);
        pods.put(key, runner);
        runner.start();
    }

    private void deleteNow(JsonNode metadata) {
        try {
            client.pods().inNamespace(metadata.path("namespace").asText()).withName(metadata.path("name").asText())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot remove pod %s/%s after stopping it: %s", metadata.path("namespace").asText(),
                    metadata.path("name").asText(), e.getMessage());
        }
    }

    private Duration gracePeriod(JsonNode pod) {
        long seconds = pod.path("metadata").path("deletionGracePeriodSeconds").asLong(
                pod.path("spec").path("terminationGracePeriodSeconds").asLong(30));
        Duration grace = Duration.ofSeconds(seconds);
        return grace.compareTo(options.stopGrace()) < 0 ? grace : options.stopGrace();
    }

    private CompletableFuture<Void> remove(PodRunner runner, Duration grace) {
        pods.remove(runner.key(), runner);
        lastStatus.remove(runner.key());
        CompletableFuture<Void> stopped = runner.stop(grace);
        synchronized (stopping) {
            stopping.add(stopped);
        }
        stopped.whenComplete((v, e) -> {
            synchronized (stopping) {
                stopping.remove(stopped);
            }
        });
        return stopped;
    }

    /** Writes the pod's status through the API when it changed since the last write. */
    void writeStatus(PodRunner runner) {
        if (closed || pods.get(runner.key()) != runner) {
            return;
        }
        ObjectNode status = runner.status();
        if (status.equals(lastStatus.get(runner.key()))) {
            return;
        }
        try {
            Pod current = client.pods().inNamespace(runner.namespace).withName(runner.name).get();
            if (current == null || !runner.uid.isEmpty() && !runner.uid.equals(current.getMetadata().getUid())) {
                return;
            }
            current.setStatus(JSON.treeToValue(status, PodStatus.class));
            client.pods().inNamespace(runner.namespace).resource(current).updateStatus();
            lastStatus.put(runner.key(), status);
        } catch (KubernetesClientException | IOException e) {
            LOG.warnf("cannot write the status of pod %s: %s", runner.key(), e.getMessage());
        }
    }

    /** /etc/hosts of a pod: itself, the configured aliases, and every Service that has a cluster IP. */
    String hostsFile(JsonNode pod, String ip) {
        return hostsFile(pod, ip, listServices());
    }

    String hostsFile(JsonNode pod, String ip, List<Service> services) {
        String ns = pod.path("metadata").path("namespace").asText("default");
        StringBuilder hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        hosts.append(ip).append('\t').append(pod.path("metadata").path("name").asText()).append('\n');
        options.hostAliases().forEach((name, address) -> hosts.append(address).append('\t').append(name).append('\n'));
        for (Service s : services) {
            String clusterIp = s.getSpec() == null ? null : s.getSpec().getClusterIP();
            if (clusterIp == null || clusterIp.isEmpty() || clusterIp.equals("None")) {
                continue;
            }
            String name = s.getMetadata().getName();
            String sns = s.getMetadata().getNamespace();
            hosts.append(clusterIp).append('\t').append(name).append('.').append(sns).append(".svc.cluster.local ")
                    .append(name).append('.').append(sns).append(".svc ").append(name).append('.').append(sns);
            if (sns.equals(ns)) {
                hosts.append(' ').append(name);
            }
            hosts.append('\n');
        }
        return hosts.toString();
    }

    private List<Service> listServices() {
        try {
            return client.services().inAnyNamespace().list().getItems();
        } catch (KubernetesClientException e) {
            LOG.warnf("services not listed for the pods' hosts files: %s", e.getMessage());
            return List.of();
        }
    }

    /** Makes a missing mount point on the host (recorded, so that close removes it again). */
    void mountPoint(Path target, boolean directory) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = target; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            if (p.equals(target) && !directory) {
                Files.createFile(p);
            } else {
                Files.createDirectory(p);
            }
            state.addMountPoint(p);
        }
    }

    @Override
    public Optional<String> log(String namespace, String pod, String container) {
        PodRunner runner = pods.get(namespace + "/" + pod);
        Path log = runner == null ? null : runner.log(container);
        if (log == null || !Files.exists(log)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(log));
        } catch (IOException e) {
            return Optional.of("cannot read the log " + log + ": " + e.getMessage());
        }
    }

    /** The network namespace of a running pod, if the node runs it. */
    public Optional<String> networkNamespace(String namespace, String pod) {
        return Optional.ofNullable(pods.get(namespace + "/" + pod)).map(PodRunner::network)
                .map(NodeNetwork.PodNet::netns);
    }

    // The pod runners' view of the node.

    KubernetesClient client() {
        return client;
    }

    NodeOptions options() {
        return options;
    }

    NodeNetwork network() {
        return network;
    }

    ImageCatalog images() {
        return images;
    }

    ImageStage stage() {
        return stage;
    }

    PodVolumes volumes() {
        return volumes;
    }

    NodeState state() {
        return state;
    }

    String javaCommand() {
        return javaCommand;
    }

    ExecutorService teardownPool() {
        return teardown;
    }

    void execute(Runnable task) {
        if (!executor.isShutdown()) {
            executor.execute(guarded(task));
        }
    }

    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        return executor.isShutdown() ? null : executor.schedule(guarded(task), delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    ScheduledFuture<?> scheduleProbe(Duration initialDelay, Duration period, Runnable probe) {
        return probes.scheduleWithFixedDelay(guarded(probe), initialDelay.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("local node task failed", e);
            }
        };
    }

    /** Stops every pod and removes everything the node made on the host. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (informer != null) {
            informer.close();
        }
        if (services != null) {
            services.close();
        }
        CompletableFuture<Void> all = CompletableFuture.supplyAsync(() -> {
            closed = true;
            List<CompletableFuture<Void>> stops = new ArrayList<>();
            for (PodRunner runner : new ArrayList<>(pods.values())) {
                stops.add(remove(runner, options.stopGrace()));
            }
            synchronized (stopping) {
                stops.addAll(stopping);
            }
            return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
        }, executor).thenCompose(f -> f);
        try {
            all.get(options.stopGrace().toSeconds() + 30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.errorf("local node: pods did not stop in time (%s); removing their namespaces anyway", e.toString());
        }
        executor.shutdownNow();
        probes.shutdownNow();
        teardown.shutdownNow();
        network.removeLeftovers();
        try {
            state.close();
        } catch (IOException e) {
            LOG.errorf("cannot remove the node state file: %s", e.getMessage());
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook is running or ran
            }
        }
        LOG.info("local node stopped: no pod, namespace, link or process of it is left");
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.error("local node: clean-up at shutdown failed", e);
        }
    }
}
