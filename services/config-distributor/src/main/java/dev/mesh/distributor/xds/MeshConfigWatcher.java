package dev.mesh.distributor.xds;

import dev.mesh.distributor.model.MeshSnapshot;
import dev.mesh.distributor.translate.MeshIndex;
import dev.mesh.distributor.translate.ProxyTranslator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The translation stage of the pipeline: takes each new {@link MeshSnapshot}, indexes it once, and
 * recomputes every watching proxy's {@link ProxySnapshot} on {@code workers}. A proxy never gets an
 * older snapshot after a newer one.
 */
public final class MeshConfigWatcher implements ConfigWatcher, Consumer<MeshSnapshot> {

    private static final Logger LOG = Logger.getLogger(MeshConfigWatcher.class);

    private final ProxyTranslator translator;
    private final Executor workers;
    private final String domain;
    private final String rootNamespace;
    private final Map<Watch, Boolean> watches = new ConcurrentHashMap<>();
    private volatile MeshIndex index;

    public MeshConfigWatcher(ProxyTranslator translator, Executor workers, String domain, String rootNamespace) {
        this.translator = translator;
        this.workers = workers;
        this.domain = domain;
        this.rootNamespace = rootNamespace;
    }

    private final class Watch implements AutoCloseable {
        final ProxyNode node;
        final Consumer<ProxySnapshot> listener;
        long deliveredVersion = -1;

        Watch(ProxyNode node, Consumer<ProxySnapshot> listener) {
            this.node = node;
            this.listener = listener;
        }

        void push(MeshIndex at) {
            ProxySnapshot snapshot;
            try {
                snapshot = translator.translate(at, node);
            } catch (RuntimeException e) {
                // A translation bug must not take the proxy's last good config away, nor the others'.
                LOG.errorf(e, "cannot compute the config of %s at mesh version %d; it keeps its last config",
                        node.id(), at.snapshot().version());
                return;
            }
            synchronized (this) {
                if (at.snapshot().version() <= deliveredVersion) {
                    return;
                }
                deliveredVersion = at.snapshot().version();
                listener.accept(snapshot);
            }
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }

    @Override
    public AutoCloseable watch(ProxyNode node, Consumer<ProxySnapshot> listener) {
        Watch watch = new Watch(node, listener);
        watches.put(watch, Boolean.TRUE);
        MeshIndex current = index;
        if (current != null) {
            workers.execute(() -> watch.push(current));
        }
        return watch;
    }

    @Override
    public void accept(MeshSnapshot snapshot) {
        translator.nextGeneration();
        MeshIndex next = new MeshIndex(snapshot, domain, rootNamespace);
        index = next;
        for (Watch watch : watches.keySet()) {
            workers.execute(() -> watch.push(next));
        }
    }

    /** What {@code node} gets from the current mesh, or an empty snapshot before the first one. */
    public ProxySnapshot snapshotFor(ProxyNode node) {
        MeshIndex current = index;
        return current == null ? ProxySnapshot.EMPTY : translator.translate(current, node);
    }

    /** The current index, or null before the first snapshot. */
    public MeshIndex index() {
        return index;
    }

    public int watching() {
        return watches.size();
    }
}
