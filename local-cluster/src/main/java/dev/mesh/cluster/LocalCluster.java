package dev.mesh.cluster;

import dev.mesh.cluster.api.LocalApiServer;
import dev.mesh.cluster.controllers.Controllers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.jboss.logging.Logger;

/**
 * The local cluster: the embedded API server and the controllers the walkthrough needs, plus
 * whatever else is attached with {@link #attach(AutoCloseable)} (the local kubelet), all closed in
 * reverse order by {@link #close()}.
 *
 * <p>Run {@code java -cp ... dev.mesh.cluster.LocalCluster [stateDir]}: it starts, prints the
 * kubeconfig path and runs until interrupted (Ctrl-C).
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalCluster.class);

    /** System property naming the state directory (kubeconfig, CA); env {@code MESH_LOCAL_CLUSTER_DIR}. */
    public static final String STATE_DIR_PROPERTY = "mesh.local-cluster.dir";

    private final Path stateDir;
    private final LocalApiServer apiServer;
    private final Deque<AutoCloseable> attached = new ArrayDeque<>();
    private boolean closed;

    private LocalCluster(Path stateDir, LocalApiServer apiServer) {
        this.stateDir = stateDir;
        this.apiServer = apiServer;
    }

    /** Starts the API server (defaults of {@link LocalApiServer.Options#defaults}) and the controllers. */
    public static LocalCluster start(Path stateDir) throws IOException {
        return start(LocalApiServer.Options.defaults(stateDir));
    }

    /** Starts the API server with {@code options} and the controllers. */
    public static LocalCluster start(LocalApiServer.Options options) throws IOException {
        LocalApiServer api = LocalApiServer.start(options);
        LocalCluster cluster = new LocalCluster(options.stateDir(), api);
        try {
            cluster.attach(Controllers.start(api.adminClient()));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * The state directory: system property {@value #STATE_DIR_PROPERTY}, else env
     * {@code MESH_LOCAL_CLUSTER_DIR}, else {@code ~/.mesh/local-cluster}.
     */
    public static Path defaultStateDir() {
        String prop = System.getProperty(STATE_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("MESH_LOCAL_CLUSTER_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".mesh", "local-cluster");
    }

    public LocalApiServer apiServer() {
        return apiServer;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Closes {@code resource} with the cluster, before everything attached earlier and the API server. */
    public synchronized <T extends AutoCloseable> T attach(T resource) {
        Objects.requireNonNull(resource, "resource");
        if (closed) {
            throw new IllegalStateException("the local cluster is closed");
        }
        attached.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!attached.isEmpty()) {
            AutoCloseable r = attached.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warnf(e, "closing %s failed", r);
            }
        }
        apiServer.close();
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : defaultStateDir();
        LocalCluster cluster = start(dir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "local-cluster-shutdown"));
        System.out.println("API server: " + cluster.apiServer().url());
        System.out.println("kubeconfig: " + cluster.apiServer().kubeconfig());
        System.out.println("export KUBECONFIG=" + cluster.apiServer().kubeconfig());
        stopped.await();
    }
}
