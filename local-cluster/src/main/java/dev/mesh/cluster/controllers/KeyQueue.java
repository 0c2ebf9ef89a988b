package dev.mesh.cluster.controllers;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A controller's work queue: keys ({@code namespace/name}) deduplicated while waiting, reconciled
 * one at a time on the controller's own thread; a failed key is retried after a second.
 */
final class KeyQueue implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KeyQueue.class);

    private final String name;
    private final Consumer<String> reconcile;
    private final ScheduledExecutorService thread;
    private final Set<String> pending = new LinkedHashSet<>();

    KeyQueue(String name, Consumer<String> reconcile) {
        this.name = name;
        this.reconcile = reconcile;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "controller-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    void add(String key) {
        synchronized (pending) {
            if (!pending.add(key)) {
                return;
            }
        }
        if (!thread.isShutdown()) {
            thread.execute(() -> run(key));
        }
    }

    void addAfter(String key, long millis) {
        if (!thread.isShutdown()) {
            thread.schedule(() -> add(key), millis, TimeUnit.MILLISECONDS);
        }
    }

    private void run(String key) {
        synchronized (pending) {
            pending.remove(key);
        }
        try {
            reconcile.accept(key);
        } catch (RuntimeException e) {
            if (thread.isShutdown()) {
                return;
            }
            LOG.debugf("%s: reconciling %s failed, retrying: %s", name, key, e.getMessage());
            addAfter(key, 1000);
        }
    }

    static String key(String namespace, String name) {
        return namespace == null ? name : namespace + "/" + name;
    }

    static String namespaceOf(String key) {
        int i = key.indexOf('/');
        return i < 0 ? null : key.substring(0, i);
    }

    static String nameOf(String key) {
        return key.substring(key.indexOf('/') + 1);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
