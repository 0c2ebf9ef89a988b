package dev.mesh.injector.tls;

import java.util.function.Supplier;

/**
 * Where the webhook's CA lives, so that every replica signs with the same one and the caBundle they write is the
 * same: the first replica's {@code fresh} CA is kept, the others load it.
 */
@FunctionalInterface
public interface CaStore {

    /** The stored CA, or {@code fresh}'s, stored for the next caller. */
    CaMaterial loadOrCreate(Supplier<CaMaterial> fresh);
}
