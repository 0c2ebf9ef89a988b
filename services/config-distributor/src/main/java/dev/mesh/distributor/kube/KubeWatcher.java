package dev.mesh.distributor.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Problem;
import dev.mesh.distributor.model.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Watches everything that shapes proxy config (Services, EndpointSlices, Pods, Namespaces and the
 * Istio resources) and feeds the {@link MeshStore}. An invalid Istio resource is logged with every
 * reason and kept out of the mesh; the valid ones keep working.
 */
public final class KubeWatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubeWatcher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final MeshStore store;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    public KubeWatcher(KubernetesClient client, MeshStore store) {
        this.client = client;
        this.store = store;
    }

    /**
     * Starts every watch; returns at once. Each informer lists, then watches, and re-lists on its
     * own after errors. Once all have listed (or failed to, for a kind whose CRD is missing), the
     * store is told it may publish.
     */
    public void start() {
        List<CompletableFuture<?>> lists = new ArrayList<>();
        lists.add(watch(client.services().inAnyNamespace().runnableInformer(0), "services",
                s -> store.putService(Convert.service(s)), s -> store.removeService(key(s))));
        lists.add(watch(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0), "endpointslices",
                s -> store.putSlice(key(s), new ObjectKey(s.getMetadata().getNamespace(), Convert.serviceOf(s)),
                        Convert.endpoints(s)),
                s -> store.removeSlice(key(s))));
        lists.add(watch(client.pods().inAnyNamespace().runnableInformer(0), "pods",
                p -> store.putPod(Convert.pod(p)), p -> store.removePod(key(p))));
        lists.add(watch(client.namespaces().runnableInformer(0), "namespaces",
                n -> store.putNamespace(Convert.namespace(n)), n -> store.removeNamespace(n.getMetadata().getName())));
        for (Kind<?> kind : Kind.ALL) {
            ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                    .withGroup(kind.group()).withVersion(kind.storageVersion()).withKind(kind.kind())
                    .withPlural(kind.plural()).withNamespaced(true).build();
            lists.add(watch(client.genericKubernetesResources(context).inAnyNamespace().runnableInformer(0),
                    kind.plural() + "." + kind.group(), r -> istio(kind, r), r -> store.removeIstio(kind, key(r))));
        }
        CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)).thenRun(store::markSynced);
    }

    /** Starts one informer; the future completes when it has listed once, or has failed to (logged). */
    private <T extends HasMetadata> CompletableFuture<?> watch(SharedIndexInformer<T> informer, String what,
            Consumer<T> put, Consumer<T> remove) {
        informer.addEventHandler(handler(put, remove));
        informers.add(informer);
        return informer.start().toCompletableFuture().handle((ok, error) -> {
            if (error != null) {
                LOG.warnf("cannot list %s (for an Istio kind: is its CRD installed?): %s; the watch keeps retrying",
                        what, error.getMessage());
            }
            return null;
        });
    }

    private void istio(Kind<?> kind, GenericKubernetesResource resource) {
        JsonNode json = JSON.valueToTree(resource);
        IstioResource<?> parsed = ManifestReader.parseResource(kind, json, "cluster");
        if (parsed.isValid()) {
            store.putIstio(parsed);
            return;
        }
        // Kept out, and a previous valid version of it (if any) stays in force: a bad edit never
        // takes away config that works.
        LOG.warnf("%s is invalid and is not used: %s", parsed.displayName(),
                parsed.errors().stream().map(Problem::toString).collect(Collectors.joining("; ")));
    }

    private static ObjectKey key(HasMetadata o) {
        return new ObjectKey(o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace(),
                o.getMetadata().getName());
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> put, Consumer<T> remove) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                safely(put, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                safely(put, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                safely(remove, obj);
            }
        };
    }

    /** One object the mesh cannot read is logged and skipped; the watch goes on. */
    private static <T extends HasMetadata> void safely(Consumer<T> action, T obj) {
        try {
            action.accept(obj);
        } catch (RuntimeException e) {
            LOG.warnf(e, "skipping %s %s/%s: cannot read it", obj.getKind(), obj.getMetadata().getNamespace(),
                    obj.getMetadata().getName());
        }
    }

    /** True once every informer has listed its kind once. */
    public boolean hasSynced() {
        return informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
    }
}
