package dev.mesh.distributor.xds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one proxy should have, by type URL. Immutable; snapshots of proxies that share config
 * share the {@link ResourceSet}s (and the {@link XdsResource}s in them).
 */
public record ProxySnapshot(Map<String, ResourceSet> byType) {

    public static final ProxySnapshot EMPTY = new ProxySnapshot(Map.of());

    public ProxySnapshot {
        byType = Map.copyOf(byType);
    }

    public static ProxySnapshot of(Collection<XdsResource> resources) {
        Map<String, List<XdsResource>> byType = new HashMap<>();
        for (XdsResource r : resources) {
            byType.computeIfAbsent(r.typeUrl(), t -> new ArrayList<>()).add(r);
        }
        Map<String, ResourceSet> sets = new HashMap<>();
        byType.forEach((type, list) -> sets.put(type, ResourceSet.of(list)));
        return new ProxySnapshot(sets);
    }

    /** This snapshot with {@code more} added; the types {@code more} does not touch stay shared. */
    public ProxySnapshot with(Collection<XdsResource> more) {
        Map<String, List<XdsResource>> byType = new HashMap<>();
        for (XdsResource r : more) {
            byType.computeIfAbsent(r.typeUrl(), t -> new ArrayList<>()).add(r);
        }
        Map<String, ResourceSet> sets = new HashMap<>(this.byType);
        byType.forEach((type, list) -> sets.put(type, resources(type).with(list)));
        return new ProxySnapshot(sets);
    }

    public ResourceSet resources(String typeUrl) {
        return byType.getOrDefault(typeUrl, ResourceSet.EMPTY);
    }
}
