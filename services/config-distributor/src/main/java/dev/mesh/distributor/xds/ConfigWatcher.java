package dev.mesh.distributor.xds;

import java.util.function.Consumer;

/** The seam between the translation pipeline and the ADS server: what one proxy should have, now and later. */
public interface ConfigWatcher {

    /**
     * Calls {@code listener} with the proxy's current snapshot (if one can be computed yet) and
     * again with every new one, until the returned handle is closed. Calls may come from any thread.
     */
    AutoCloseable watch(ProxyNode node, Consumer<ProxySnapshot> listener);
}
