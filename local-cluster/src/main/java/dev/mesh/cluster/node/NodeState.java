package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * What the node has running and has made on the host, kept in a file so that the next start can remove what a
 * crashed run left: the processes (pid and start time, so a reused pid is never killed) and the mount points it
 * had to create on the host. A lock on the run directory keeps a second node from starting beside a live one.
 */
final class NodeState implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeState.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<Long, Instant> processes = new LinkedHashMap<>();
    private final Set<String> mountPoints = new LinkedHashSet<>();

    private NodeState(Path file, FileChannel lockChannel, FileLock lock) {
        this.file = file;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Takes the run directory's lock and cleans up after an earlier run from its state file.
     *
     * @throws IllegalStateException when another node holds the lock
     */
    static NodeState open(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        FileChannel channel = FileChannel.open(runDir.resolve("node.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by another node in this very JVM
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another local node is running with run directory " + runDir
                    + "; stop it first (one local cluster per machine: it owns the pod bridge)");
        }
        NodeState state = new NodeState(runDir.resolve("node-state.json"), channel, lock);
        state.cleanUpEarlierRun();
        return state;
    }

    private void cleanUpEarlierRun() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        JsonNode earlier = JSON.readTree(file.toFile());
        earlier.path("processes").fields().forEachRemaining(e -> {
            long pid = Long.parseLong(e.getKey());
            Instant started = Instant.parse(e.getValue().asText());
            ProcessHandle.of(pid).filter(p -> p.info().startInstant().map(started::equals).orElse(false))
                    .ifPresent(p -> {
                        LOG.infof("killing process %d left by an earlier run", pid);
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                    });
        });
        java.util.List<String> created = new java.util.ArrayList<>();
        earlier.path("mountPoints").forEach(path -> created.add(path.asText()));
        java.util.Collections.reverse(created);
        created.forEach(path -> removeMountPoint(Path.of(path)));
        Files.delete(file);
    }

    synchronized void addProcess(ProcessHandle process) {
        processes.put(process.pid(), process.info().startInstant().orElse(Instant.EPOCH));
        save();
    }

    synchronized void removeProcess(long pid) {
        if (processes.remove(pid) != null) {
            save();
        }
    }

    /**
     * Records a path the node created on the host as (part of) a mount point; removed on close, newest first, if
     * still empty.
     */
    synchronized void addMountPoint(Path path) {
        if (mountPoints.add(path.toString())) {
            save();
        }
    }

    private void save() {
        ObjectNode root = JSON.createObjectNode();
        root.put("nodePid", ProcessHandle.current().pid());
        ObjectNode procs = root.putObject("processes");
        processes.forEach((pid, started) -> procs.put(Long.toString(pid), started.toString()));
        mountPoints.forEach(root.putArray("mountPoints")::add);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.errorf("cannot write the node state file %s: %s (a crash now would leave processes behind)", file,
                    e.getMessage());
        }
    }

    /** Removes the mount points, the state file and the lock; processes must be gone by now. */
    @Override
    public synchronized void close() throws IOException {
        java.util.List<String> created = new java.util.ArrayList<>(mountPoints);
        java.util.Collections.reverse(created);
        created.forEach(path -> removeMountPoint(Path.of(path)));
        mountPoints.clear();
        Files.deleteIfExists(file);
        lock.release();
        lockChannel.close();
    }

    /** Removes a path the node created, if it is still an empty directory or empty file. */
    private static void removeMountPoint(Path path) {
        try {
            if (Files.isDirectory(path) || Files.isRegularFile(path) && Files.size(path) == 0) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.debugf("mount point %s kept: %s", path, e.getMessage());
        }
    }
}
