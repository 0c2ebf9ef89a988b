package dev.mesh.cluster.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.List;
import java.util.function.Consumer;

/** Small helpers shared by the controllers: event handlers and owner references. */
final class Informers {

    private Informers() {
    }

    /** A handler that calls {@code onChange} for adds, updates and deletes alike. */
    static <T extends HasMetadata> ResourceEventHandler<T> onAny(Consumer<T> onChange) {
        return onAny(onChange, onChange);
    }

    static <T extends HasMetadata> ResourceEventHandler<T> onAny(Consumer<T> onChange, Consumer<T> onDelete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onDelete.accept(obj);
            }
        };
    }

    /** The controlling owner of {@code obj} if it is of {@code kind}, else null. */
    static OwnerReference controller(HasMetadata obj, String kind) {
        List<OwnerReference> refs = obj.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (kind.equals(r.getKind()) && Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }

    static boolean ownedBy(HasMetadata obj, String ownerUid) {
        List<OwnerReference> refs = obj.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> ownerUid.equals(r.getUid()));
    }

    static OwnerReference ownerRef(HasMetadata owner) {
        return new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind()).withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    static String key(HasMetadata obj) {
        return KeyQueue.key(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
    }

    static boolean terminating(HasMetadata obj) {
        return obj.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * Waits (briefly) until this controller's own write shows in the informer cache, so that the
     * next reconcile does not act on a cache that misses it (creating a pod twice).
     */
    static void awaitCache(java.util.function.BooleanSupplier seen) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!seen.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
