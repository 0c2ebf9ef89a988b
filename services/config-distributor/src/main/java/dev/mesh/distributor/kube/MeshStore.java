package dev.mesh.distributor.kube;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.distributor.model.EndpointModel;
import dev.mesh.distributor.model.MeshSnapshot;
import dev.mesh.distributor.model.NamespaceModel;
import dev.mesh.distributor.model.ObjectKey;
import dev.mesh.distributor.model.PodModel;
import dev.mesh.distributor.model.ServiceModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The latest state of every watched object, changed by watch events and published as
 * {@link MeshSnapshot}s, debounced: a burst of changes becomes one snapshot once the burst has
 * been quiet for {@code debounce}, and at the latest {@code maxDelay} after its first change.
 *
 * <p>All state lives on {@code executor}, which must be single-threaded: watch callbacks hand
 * their change over to it, so nothing here needs a lock.
 */
public final class MeshStore {

    private final ScheduledExecutorService executor;
    private final Duration debounce;
    private final Duration maxDelay;
    private final Consumer<MeshSnapshot> publish;

    private final Map<ObjectKey, ServiceModel> services = new HashMap<>();
    /** Slices by (namespace, slice name), each with the service it belongs to. */
    private final Map<ObjectKey, Map.Entry<ObjectKey, List<EndpointModel>>> slices = new HashMap<>();
    private final Map<ObjectKey, PodModel> pods = new HashMap<>();
    private final Map<String, NamespaceModel> namespaces = new HashMap<>();
    private final Map<Kind<?>, Map<ObjectKey, IstioResource<?>>> istio = new LinkedHashMap<>();

    private boolean synced;
    private long version;
    private long firstChangeNanos = -1;
    private ScheduledFuture<?> scheduled;

    public MeshStore(ScheduledExecutorService executor, Duration debounce, Duration maxDelay,
            Consumer<MeshSnapshot> publish) {
        this.executor = executor;
        this.debounce = debounce;
        this.maxDelay = maxDelay;
        this.publish = publish;
    }

    public void putService(ServiceModel s) {
        change(() -> services.put(s.key(), s));
    }

    public void removeService(ObjectKey key) {
        change(() -> services.remove(key));
    }

    public void putSlice(ObjectKey slice, ObjectKey service, List<EndpointModel> endpoints) {
        change(() -> slices.put(slice, Map.entry(service, List.copyOf(endpoints))));
    }

    public void removeSlice(ObjectKey slice) {
        change(() -> slices.remove(slice));
    }

    public void putPod(PodModel p) {
        change(() -> pods.put(p.key(), p));
    }

    public void removePod(ObjectKey key) {
        change(() -> pods.remove(key));
    }

    public void putNamespace(NamespaceModel n) {
        change(() -> namespaces.put(n.name(), n));
    }

    public void removeNamespace(String name) {
        change(() -> namespaces.remove(name));
    }

    public void putIstio(IstioResource<?> r) {
        ObjectKey key = new ObjectKey(r.metadata().namespace(), r.metadata().name());
        change(() -> istio.computeIfAbsent(r.kind(), k -> new TreeMap<>()).put(key, r));
    }

    public void removeIstio(Kind<?> kind, ObjectKey key) {
        change(() -> {
            Map<ObjectKey, IstioResource<?>> of = istio.get(kind);
            if (of != null) {
                of.remove(key);
            }
        });
    }

    /**
     * Called once every watch has made its first list: snapshots are published from then on, so
     * no proxy is ever sent config computed from half a cluster.
     */
    public void markSynced() {
        change(() -> synced = true);
    }

    private void change(Runnable mutation) {
        executor.execute(() -> {
            mutation.run();
            long now = System.nanoTime();
            if (firstChangeNanos < 0) {
                firstChangeNanos = now;
            }
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            long waited = now - firstChangeNanos;
            long delay = Math.max(0, Math.min(debounce.toNanos(), maxDelay.toNanos() - waited));
            scheduled = executor.schedule(this::publishNow, delay, TimeUnit.NANOSECONDS);
        });
    }

    private void publishNow() {
        scheduled = null;
        if (!synced) {
            return; // markSynced() publishes what has accumulated
        }
        firstChangeNanos = -1;
        publish.accept(snapshot());
    }

    /** Builds the snapshot of the current state. Runs on the executor. */
    MeshSnapshot snapshot() {
        Map<ObjectKey, List<EndpointModel>> endpoints = new HashMap<>();
        for (Map.Entry<ObjectKey, List<EndpointModel>> slice : slices.values()) {
            endpoints.computeIfAbsent(slice.getKey(), k -> new ArrayList<>()).addAll(slice.getValue());
        }
        endpoints.replaceAll((k, v) -> List.copyOf(v));
        Map<Kind<?>, List<IstioResource<?>>> resources = new LinkedHashMap<>();
        istio.forEach((kind, byKey) -> resources.put(kind, List.copyOf(byKey.values())));
        return new MeshSnapshot(++version, services, endpoints, pods, namespaces, resources);
    }
}
