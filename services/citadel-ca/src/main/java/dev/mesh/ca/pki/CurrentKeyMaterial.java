package dev.mesh.ca.pki;

import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.CaKeyMaterial;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The key material in use now; replaced as a whole when the CA Secret changes, and listeners told. */
public final class CurrentKeyMaterial implements Supplier<CaKeyMaterial> {

    private final AtomicReference<CaKeyMaterial> current = new AtomicReference<>();
    private final List<Consumer<CaKeyMaterial>> listeners = new CopyOnWriteArrayList<>();

    /** The material to sign with; refuses with UNAVAILABLE while none has been loaded. */
    @Override
    public CaKeyMaterial get() {
        CaKeyMaterial material = current.get();
        if (material == null) {
            throw new CaException(Reason.CA_NOT_READY, "the CA has not loaded its key material yet; retry shortly");
        }
        return material;
    }

    public Optional<CaKeyMaterial> peek() {
        return Optional.ofNullable(current.get());
    }

    /** Installs {@code material}; listeners run only if it differs from what was in use. */
    public void set(CaKeyMaterial material) {
        CaKeyMaterial previous = current.getAndSet(material);
        if (previous == null || !previous.chain().equals(material.chain())) {
            listeners.forEach(listener -> listener.accept(material));
        }
    }

    public void onChange(Consumer<CaKeyMaterial> listener) {
        listeners.add(listener);
    }
}
