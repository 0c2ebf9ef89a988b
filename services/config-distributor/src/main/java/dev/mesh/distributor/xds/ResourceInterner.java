package dev.mesh.distributor.xds;

import com.google.protobuf.Message;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out one {@link XdsResource} per distinct (name, content): proxies that get the same
 * resource share one instance, serialised once, and an unchanged resource keeps its version
 * across snapshots. Entries not asked for during a whole generation (one mesh snapshot) are dropped.
 */
public final class ResourceInterner {

    private record Key(String name, Message message) {
    }

    private volatile Map<Key, XdsResource> current = new ConcurrentHashMap<>();
    private volatile Map<Key, XdsResource> previous = Map.of();

    public XdsResource intern(String name, Message message) {
        Key key = new Key(name, message);
        XdsResource found = current.get(key);
        if (found != null) {
            return found;
        }
        found = previous.get(key);
        if (found == null) {
            found = XdsResource.of(name, message);
        }
        XdsResource raced = current.putIfAbsent(key, found);
        return raced != null ? raced : found;
    }

    /** Starts a new generation: what the last one did not use is forgotten at the next call. */
    public synchronized void nextGeneration() {
        previous = current;
        current = new ConcurrentHashMap<>();
    }

    public int size() {
        return current.size() + previous.size();
    }
}
