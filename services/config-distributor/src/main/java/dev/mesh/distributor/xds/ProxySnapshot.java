package dev.mesh.distributor.xds;

import java.util.Collection;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything one proxy should have, by type URL and resource name. Immutable; a new snapshot
 * shares the {@link XdsResource} instances of resources that did not change.
 */
public record ProxySnapshot(Map<String, SortedMap<String, XdsResource>> byType) {

    public static final ProxySnapshot EMPTY = new ProxySnapshot(Map.of());

    public ProxySnapshot {
        Map<String, SortedMap<String, XdsResource>> copy = new TreeMap<>();
        byType.forEach((type, resources) -> copy.put(type, java.util.Collections.unmodifiableSortedMap(new TreeMap<>(resources))));
        byType = java.util.Collections.unmodifiableMap(copy);
    }

    public static ProxySnapshot of(Collection<XdsResource> resources) {
        Map<String, SortedMap<String, XdsResource>> byType = new TreeMap<>();
        for (XdsResource r : resources) {
            byType.computeIfAbsent(r.typeUrl(), t -> new TreeMap<>()).put(r.name(), r);
        }
        return new ProxySnapshot(byType);
    }

    public SortedMap<String, XdsResource> resources(String typeUrl) {
        return byType.getOrDefault(typeUrl, java.util.Collections.emptySortedMap());
    }
}
