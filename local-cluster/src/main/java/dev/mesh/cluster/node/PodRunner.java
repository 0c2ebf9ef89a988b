package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One pod on the node, from sandbox to teardown: its network namespace, volumes, init containers in order
 * (istio-init's capture rules installed by the node), then its containers as processes inside the namespace, each
 * restarted with backoff per the pod's restartPolicy, readiness from httpGet probes, and the pod's status as the
 * kubelet reports it. Every method but the probes' HTTP calls runs on the node's one executor.
 */
final class PodRunner {

    private static final Logger LOG = Logger.getLogger(PodRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration RESYNC = Duration.ofMinutes(1);
    private static final HttpClient PROBES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    final String namespace;
    final String name;
    final String uid;
    private final LocalNode node;
    private JsonNode pod;
    private final List<ContainerRun> inits = new ArrayList<>();
    private final List<ContainerRun> containers = new ArrayList<>();
    private final Path dir;
    private NodeNetwork.PodNet net;
    private Map<String, Path> volumes;
    private Instant startTime;
    private int nextInit;
    private boolean stopping;
    private boolean containersLaunched;
    private String podMessage;

    PodRunner(LocalNode node, JsonNode pod) {
        this.node = node;
        this.pod = pod.deepCopy();
        JsonNode metadata = pod.path("metadata");
        this.namespace = metadata.path("namespace").asText("default");
        this.name = metadata.path("name").asText();
        this.uid = metadata.path("uid").asText("");
        this.dir = node.options().runDir().resolve("pods").resolve(namespace + "_" + name
                + (uid.isEmpty() ? "" : "_" + uid.substring(0, Math.min(8, uid.length()))));
        for (JsonNode c : pod.path("spec").path("initContainers")) {
            inits.add(new ContainerRun(c.path("name").asText(), c, true, dir.resolve("logs")
                    .resolve(c.path("name").asText() + ".log")));
        }
        for (JsonNode c : pod.path("spec").path("containers")) {
            containers.add(new ContainerRun(c.path("name").asText(), c, false, dir.resolve("logs")
                    .resolve(c.path("name").asText() + ".log")));
        }
    }

    String key() {
        return namespace + "/" + name;
    }

    NodeNetwork.PodNet network() {
        return net;
    }

    /** The log file of a container, or null if the pod has no such container. */
    Path log(String container) {
        if (container == null) {
            String preferred = pod.path("metadata").path("annotations").path("kubectl.kubernetes.io/default-container")
                    .asText("");
            container = preferred.isEmpty() && !containers.isEmpty() ? containers.get(0).name : preferred;
        }
        for (ContainerRun c : all()) {
            if (c.name.equals(container)) {
                return c.log;
            }
        }
        return null;
    }

    private List<ContainerRun> all() {
        List<ContainerRun> out = new ArrayList<>(inits);
        out.addAll(containers);
        return out;
    }

    /** Rewrites the pod's /etc/hosts with the current Services (processes see it at their next lookup). */
    void refreshHosts(List<io.fabric8.kubernetes.api.model.Service> services) {
        if (net != null && !stopping) {
            node.network().writeHosts(net, node.hostsFile(pod, net.ip(), services));
        }
    }

    /** Makes the sandbox and starts the pod. */
    void start() {
        startTime = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try {
            Files.createDirectories(dir.resolve("logs"));
            PodVolumes.open(dir, "rwxr-xr-x");
            net = node.network().attach(ip -> node.hostsFile(pod, ip));
        } catch (IOException | RuntimeException e) {
            podMessage = "cannot make the pod's sandbox: " + e.getMessage();
            LOG.errorf("pod %s: %s", key(), podMessage);
            node.writeStatus(this);
            return;
        }
        ObjectNode status = ((ObjectNode) pod).putObject("status");
        status.put("podIP", net.ip()).put("hostIP", node.network().gateway());
        LOG.infof("pod %s: sandbox %s, IP %s", key(), net.netns(), net.ip());
        node.writeStatus(this);
        prepareVolumes();
    }

    private void prepareVolumes() {
        if (stopping) {
            return;
        }
        try {
            volumes = node.volumes().prepare(pod, dir.resolve("volumes"));
            podMessage = null;
            node.schedule(RESYNC, this::resyncVolumes);
        } catch (PodVolumes.NotReadyException e) {
            waitFor(e.getMessage(), this::prepareVolumes);
            return;
        } catch (IOException | RuntimeException e) {
            podMessage = "cannot prepare the pod's volumes: " + e.getMessage();
            LOG.errorf("pod %s: %s", key(), podMessage);
            node.writeStatus(this);
            return;
        }
        runInits();
    }

    /**
     * Rewrites the volumes every minute, as the kubelet's sync does: fresh projected tokens long before they expire
     * (the shortest the node issues lives an hour) and ConfigMap or Secret changes. A source that went away keeps
     * its last files.
     */
    private void resyncVolumes() {
        if (stopping) {
            return;
        }
        try {
            node.volumes().prepare(pod, dir.resolve("volumes"));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("pod %s: volumes not refreshed: %s", key(), e.getMessage());
        }
        node.schedule(RESYNC, this::resyncVolumes);
    }

    private void waitFor(String why, Runnable retry) {
        if (!why.equals(podMessage)) {
            LOG.infof("pod %s waits: %s", key(), why);
            podMessage = why;
            node.writeStatus(this);
        }
        node.schedule(RETRY, retry);
    }

    /** Runs the init containers in order; each must complete (exit 0) before the next, native sidecars only start. */
    private void runInits() {
        while (!stopping && nextInit < inits.size()) {
            ContainerRun c = inits.get(nextInit);
            if (c.terminated != null && c.terminated.exitCode() == 0 || c.nativeSidecar && c.running()) {
                nextInit++;
                continue;
            }
            if (!launch(c) || !c.nativeSidecar && c.terminated == null) {
                return; // waits for the process to exit (or for a retry)
            }
        }
        if (!stopping && !containersLaunched) {
            containersLaunched = true;
            containers.forEach(this::launch);
            node.writeStatus(this);
        }
    }

    /** Starts one container; false when it cannot start now (a retry is scheduled where that makes sense). */
    private boolean launch(ContainerRun c) {
        if (stopping) {
            return false;
        }
        ImageCatalog.Runnable runnable;
        Map<String, String> env;
        try {
            env = ContainerEnv.resolve(pod, c.spec, node.client());
            runnable = node.images().resolve(c.spec.path("image").asText(),
                    ContainerEnv.expandAll(c.spec.path("command"), env),
                    ContainerEnv.expandAll(c.spec.path("args"), env));
        } catch (PodVolumes.NotReadyException e) {
            c.waitingReason = "CreateContainerConfigError";
            c.waitingMessage = e.getMessage();
            node.writeStatus(this);
            node.schedule(RETRY, () -> relaunch(c));
            return false;
        } catch (ImageCatalog.UnknownImageException e) {
            c.waitingReason = "ErrImagePull";
            c.waitingMessage = e.getMessage();
            LOG.errorf("pod %s container %s: %s", key(), c.name, e.getMessage());
            node.writeStatus(this);
            return false;
        } catch (IllegalArgumentException e) {
            c.waitingReason = "CreateContainerError";
            c.waitingMessage = e.getMessage();
            LOG.errorf("pod %s container %s: %s", key(), c.name, e.getMessage());
            node.writeStatus(this);
            return false;
        }
        if (runnable instanceof ImageCatalog.Runnable.Capture capture) {
            return installCapture(c, capture);
        }
        ImageCatalog.Runnable.Java java = (ImageCatalog.Runnable.Java) runnable;
        try {
            Path jar = node.stage().stage(java);
            List<String> argv = command(c, jar, java);
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(c.log.toFile()))
                    .directory(jar.getParent().toFile());
            pb.environment().clear();
            pb.environment().putAll(baseEnvironment());
            pb.environment().putAll(env);
            List<String> mountPaths = new ArrayList<>();
            c.spec.path("volumeMounts").forEach(m -> mountPaths.add(m.path("mountPath").asText()));
            pb.environment().putAll(ImageCatalog.entrypointEnvironment(java.image(), java.args(), env, mountPaths));
            Process process = pb.start();
            node.state().addProcess(process.toHandle());
            c.process = process;
            c.startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            c.terminated = null;
            c.waitingReason = null;
            c.waitingMessage = null;
            c.ready = false;
            c.probeSuccesses = 0;
            c.probeFailures = 0;
            LOG.infof("pod %s: container %s started (pid %d, %s)", key(), c.name, process.pid(), java.image());
            process.onExit().thenRun(() -> node.execute(() -> exited(c, process)));
            scheduleProbe(c);
            node.writeStatus(this);
            return true;
        } catch (IOException | RuntimeException e) {
            c.waitingReason = "RunContainerError";
            c.waitingMessage = e.getMessage();
            LOG.errorf("pod %s container %s cannot start: %s", key(), c.name, e.getMessage());
            node.writeStatus(this);
            scheduleRestart(c);
            return false;
        }
    }

    private boolean installCapture(ContainerRun c, ImageCatalog.Runnable.Capture capture) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try {
            HostCommands.run(List.of("ip", "netns", "exec", net.netns(), "iptables-restore"),
                    capture.rules().restoreInput());
            Files.writeString(c.log, "capture rules installed in " + net.netns() + ":\n"
                    + capture.rules().restoreInput());
            c.terminated = new ContainerRun.Terminated(0, "Completed", started, Instant.now().truncatedTo(
                    ChronoUnit.SECONDS));
            c.waitingReason = null;
            LOG.infof("pod %s: %s installed the capture rules in %s", key(), c.name, net.netns());
            return true;
        } catch (IOException | RuntimeException e) {
            c.terminated = new ContainerRun.Terminated(1, "Error", started, Instant.now());
            c.waitingReason = "Init:Error";
            c.waitingMessage = e.getMessage();
            LOG.errorf("pod %s: %s failed: %s", key(), c.name, e.getMessage());
            node.writeStatus(this);
            return false;
        }
    }

    private void relaunch(ContainerRun c) {
        if (stopping || c.running()) {
            return;
        }
        if (c.init && !c.nativeSidecar) {
            runInits();
        } else if (launch(c) && c.nativeSidecar) {
            runInits();
        }
    }

    /**
     * {@code ip netns exec <ns> sh -c '<bind mounts>; exec "$@"' sh [setpriv ...] java ... -jar <jar> <args>}:
     * {@code ip netns exec} gives the process its own mount namespace (and the pod's /etc/hosts), where the
     * container's volume mounts are bind mounts that nobody outside sees.
     */
    private List<String> command(ContainerRun c, Path jar, ImageCatalog.Runnable.Java java) throws IOException {
        StringBuilder script = new StringBuilder("set -e\n");
        Map<String, Path> mounts = new LinkedHashMap<>();
        boolean serviceAccountMounted = false;
        for (JsonNode m : c.spec.path("volumeMounts")) {
            Path source = volumes.get(m.path("name").asText());
            if (source == null) {
                throw new IllegalArgumentException("volumeMount " + m.path("name").asText() + ": no such volume");
            }
            if (m.hasNonNull("subPath") && !m.path("subPath").asText().isEmpty()) {
                source = source.resolve(m.path("subPath").asText());
            }
            String target = m.path("mountPath").asText();
            serviceAccountMounted |= target.equals(PodVolumes.SERVICE_ACCOUNT_PATH);
            mounts.put(target, source);
            script.append("mount --bind ").append(quote(source.toString())).append(' ').append(quote(target))
                    .append('\n');
            if (m.path("readOnly").asBoolean(false)) {
                script.append("mount -o remount,bind,ro ").append(quote(target)).append('\n');
            }
        }
        Path serviceAccount = volumes.get(PodVolumes.SERVICE_ACCOUNT_VOLUME);
        if (serviceAccount != null && !serviceAccountMounted) {
            mounts.put(PodVolumes.SERVICE_ACCOUNT_PATH, serviceAccount);
            script.append("mount --bind ").append(quote(serviceAccount.toString())).append(' ')
                    .append(quote(PodVolumes.SERVICE_ACCOUNT_PATH)).append('\n');
        }
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            node.mountPoint(Path.of(m.getKey()), Files.isDirectory(m.getValue()));
        }
        script.append("exec \"$@\"\n");
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", net.netns(), "sh", "-c",
                script.toString(), "sh"));
        Long uid = securityValue(c, "runAsUser");
        Long gid = securityValue(c, "runAsGroup");
        if (uid != null && uid != 0) {
            argv.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + (gid != null ? gid : uid),
                    "--clear-groups", "--"));
        }
        argv.add(node.javaCommand());
        argv.add("-Xmx" + java.maxHeap());
        argv.add("-XX:+UseSerialGC");
        argv.add("-Xss512k");
        argv.add("-jar");
        argv.add(jar.toString());
        argv.addAll(java.args());
        return argv;
    }

    /** A security-context value of the container, else of the pod. */
    private Long securityValue(ContainerRun c, String key) {
        JsonNode v = c.spec.path("securityContext").path(key);
        if (v.isMissingNode() || v.isNull()) {
            v = pod.path("spec").path("securityContext").path(key);
        }
        return v.isNumber() ? v.asLong() : null;
    }

    private Map<String, String> baseEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", "/tmp");
        env.put("HOSTNAME", name);
        node.options().apiServer().ifPresent(api -> {
            env.put("KUBERNETES_SERVICE_HOST", api.host());
            env.put("KUBERNETES_SERVICE_PORT", Integer.toString(api.port()));
            env.put("KUBERNETES_SERVICE_PORT_HTTPS", Integer.toString(api.port()));
        });
        return env;
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private void exited(ContainerRun c, Process process) {
        node.state().removeProcess(process.pid());
        if (c.process != process) {
            return;
        }
        c.cancelTasks();
        c.ready = false;
        int code = process.exitValue();
        c.terminated = new ContainerRun.Terminated(code, code == 0 ? "Completed" : "Error", c.startedAt,
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        c.process = null;
        if (stopping) {
            return;
        }
        LOG.infof("pod %s: container %s exited with %d", key(), c.name, code);
        if (c.init && !c.nativeSidecar && code == 0) {
            nextInit++;
            node.writeStatus(this);
            runInits();
            return;
        }
        String policy = c.nativeSidecar ? "Always" : pod.path("spec").path("restartPolicy").asText("Always");
        boolean restart = policy.equals("Always") || policy.equals("OnFailure") && code != 0
                || c.init && code != 0 && !policy.equals("Never");
        if (restart) {
            scheduleRestart(c);
        }
        node.writeStatus(this);
    }

    private void scheduleRestart(ContainerRun c) {
        if (stopping) {
            return;
        }
        c.lastTerminated = c.terminated;
        Duration backoff = Duration.ofSeconds(1L << Math.min(c.restartCount, 5));
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
            backoff = MAX_BACKOFF;
        }
        c.waitingReason = "CrashLoopBackOff";
        c.waitingMessage = "back-off " + backoff.toSeconds() + "s restarting failed container=" + c.name + " pod="
                + name;
        c.terminated = null;
        c.restartTask = node.schedule(backoff, () -> {
            c.restartTask = null;
            if (!stopping && !c.running()) {
                c.restartCount++;
                relaunch(c);
            }
        });
    }

    private void scheduleProbe(ContainerRun c) {
        JsonNode probe = c.spec.path("readinessProbe");
        if (!probe.has("httpGet")) {
            // No probe (or an exec/tcp probe, which the local node does not run): ready once running.
            c.ready = true;
            return;
        }
        Duration initial = Duration.ofSeconds(probe.path("initialDelaySeconds").asLong(0));
        Duration period = Duration.ofSeconds(Math.max(1, probe.path("periodSeconds").asLong(10)));
        c.probeTask = node.scheduleProbe(initial, period, () -> probeOnce(c, probe));
    }

    /** On the probe pool: one HTTP GET, then the result goes to the node's executor. */
    private void probeOnce(ContainerRun c, JsonNode probe) {
        JsonNode http = probe.path("httpGet");
        int port = port(c, http.path("port"));
        String path = http.path("path").asText("/");
        String host = http.path("host").asText("");
        String target = "http://" + (host.isEmpty() ? net.ip() : host) + ":" + port + (path.startsWith("/") ? path
                : "/" + path);
        boolean ok;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target))
                    .timeout(Duration.ofSeconds(Math.max(1, probe.path("timeoutSeconds").asLong(1))))
                    .header("User-Agent", "kube-probe/1.32");
            for (JsonNode h : http.path("httpHeaders")) {
                request.header(h.path("name").asText(), h.path("value").asText());
            }
            int status = PROBES.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            ok = status >= 200 && status < 400;
        } catch (IOException | IllegalArgumentException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        boolean result = ok;
        node.execute(() -> probed(c, probe, result));
    }

    private void probed(ContainerRun c, JsonNode probe, boolean ok) {
        if (stopping || !c.running()) {
            return;
        }
        boolean before = c.ready;
        if (ok) {
            c.probeFailures = 0;
            c.probeSuccesses++;
            if (c.probeSuccesses >= probe.path("successThreshold").asInt(1)) {
                c.ready = true;
            }
        } else {
            c.probeSuccesses = 0;
            c.probeFailures++;
            if (c.probeFailures >= probe.path("failureThreshold").asInt(3)) {
                c.ready = false;
            }
        }
        if (before != c.ready) {
            LOG.infof("pod %s: container %s %s", key(), c.name, c.ready ? "ready" : "not ready");
            node.writeStatus(this);
        }
    }

    /** A probe's port: a number, or the name of one of the container's ports. */
    private static int port(ContainerRun c, JsonNode port) {
        if (port.isInt() || port.asText().matches("\\d+")) {
            return port.asInt();
        }
        for (JsonNode p : c.spec.path("ports")) {
            if (p.path("name").asText().equals(port.asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new IllegalArgumentException("probe port \"" + port.asText() + "\" is not a port of container "
                + c.name);
    }

    /**
     * Stops the pod: SIGTERM to every container, SIGKILL to what is left after the grace period, then the sandbox
     * goes. Runs off the node's executor (the grace period may be seconds); the returned stage completes when all
     * is gone.
     */
    CompletableFuture<Void> stop(Duration grace) {
        stopping = true;
        List<Process> processes = new ArrayList<>();
        for (ContainerRun c : all()) {
            c.cancelTasks();
            if (c.process != null) {
                processes.add(c.process);
            }
        }
        NodeNetwork.PodNet sandbox = net;
        return CompletableFuture.runAsync(() -> {
            processes.forEach(Process::destroy);
            long deadline = System.nanoTime() + grace.toNanos();
            for (Process p : processes) {
                try {
                    if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                        p.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                node.state().removeProcess(p.pid());
            }
            if (sandbox != null) {
                node.network().detach(sandbox);
            }
            NodeNetwork.deleteTree(dir.resolve("volumes"));
            LOG.infof("pod %s stopped and its sandbox removed", key());
        }, node.teardownPool());
    }

    /** The pod's status as the kubelet writes it. */
    ObjectNode status() {
        ObjectNode status = JSON.createObjectNode();
        boolean initsDone = inits.stream().allMatch(c -> c.nativeSidecar ? c.running()
                : c.terminated != null && c.terminated.exitCode() == 0);
        boolean allRunning = !containers.isEmpty() && containers.stream().allMatch(ContainerRun::running);
        boolean allReady = initsDone && !containers.isEmpty() && containers.stream().allMatch(c -> c.ready)
                && inits.stream().filter(c -> c.nativeSidecar).allMatch(c -> c.ready);
        String policy = pod.path("spec").path("restartPolicy").asText("Always");
        String phase = "Pending";
        if (initsDone && containers.stream().anyMatch(c -> c.startedAt != null)) {
            phase = "Running";
            boolean allDone = containers.stream().allMatch(c -> c.terminated != null);
            if (allDone && !policy.equals("Always")) {
                boolean succeeded = containers.stream().allMatch(c -> c.terminated.exitCode() == 0);
                phase = succeeded ? "Succeeded" : policy.equals("Never") ? "Failed" : "Running";
            }
        }
        status.put("phase", phase);
        if (net != null) {
            status.put("podIP", net.ip());
            status.putArray("podIPs").addObject().put("ip", net.ip());
            status.put("hostIP", node.network().gateway());
            status.putArray("hostIPs").addObject().put("ip", node.network().gateway());
        }
        if (startTime != null) {
            status.put("startTime", startTime.toString());
        }
        status.put("qosClass", "BestEffort");
        if (podMessage != null && phase.equals("Pending")) {
            status.put("message", podMessage);
        }
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "PodReadyToStartContainers", net != null);
        condition(conditions, "Initialized", initsDone);
        condition(conditions, "Ready", allReady && allRunning);
        condition(conditions, "ContainersReady", allReady && allRunning);
        condition(conditions, "PodScheduled", true);
        if (!inits.isEmpty()) {
            ArrayNode list = status.putArray("initContainerStatuses");
            inits.forEach(c -> list.add(containerStatus(c)));
        }
        ArrayNode list = status.putArray("containerStatuses");
        containers.forEach(c -> list.add(containerStatus(c)));
        return status;
    }

    private void condition(ArrayNode conditions, String type, boolean value) {
        conditions.addObject().put("type", type).put("status", value ? "True" : "False")
                .putNull("lastProbeTime").put("lastTransitionTime", (startTime != null ? startTime : Instant.now()
                        .truncatedTo(ChronoUnit.SECONDS)).toString());
    }

    private ObjectNode containerStatus(ContainerRun c) {
        ObjectNode s = JSON.createObjectNode();
        s.put("name", c.name).put("image", c.spec.path("image").asText())
                .put("imageID", "local://" + ImageCatalog.name(c.spec.path("image").asText()));
        if (c.process != null) {
            s.put("containerID", "mesh://" + c.process.pid());
        }
        s.put("ready", c.ready && c.running()).put("restartCount", c.restartCount)
                .put("started", c.running());
        ObjectNode state = s.putObject("state");
        if (c.running()) {
            state.putObject("running").put("startedAt", c.startedAt.toString());
        } else if (c.terminated != null) {
            terminated(state, c.terminated);
        } else {
            ObjectNode waiting = state.putObject("waiting").put("reason", c.waitingReason != null ? c.waitingReason
                    : podMessage != null ? "ContainerCreating" : "PodInitializing");
            if (c.waitingMessage != null) {
                waiting.put("message", c.waitingMessage);
            } else if (podMessage != null) {
                waiting.put("message", podMessage);
            }
        }
        ObjectNode last = s.putObject("lastState");
        if (c.lastTerminated != null) {
            terminated(last, c.lastTerminated);
        }
        return s;
    }

    private static void terminated(ObjectNode state, ContainerRun.Terminated t) {
        ObjectNode term = state.putObject("terminated").put("exitCode", t.exitCode()).put("reason", t.reason());
        if (t.startedAt() != null) {
            term.put("startedAt", t.startedAt().toString());
        }
        term.put("finishedAt", t.finishedAt().toString());
    }
}
