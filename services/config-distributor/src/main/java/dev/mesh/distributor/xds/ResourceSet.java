package dev.mesh.distributor.xds;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The resources of one type a proxy should have, sorted by name in one array: a reference per
 * resource, so thousands of proxies holding thousands of shared resources cost little each.
 */
public final class ResourceSet {

    public static final ResourceSet EMPTY = new ResourceSet(new XdsResource[0]);

    private static final Comparator<XdsResource> BY_NAME = Comparator.comparing(XdsResource::name);

    private final XdsResource[] sorted;

    private ResourceSet(XdsResource[] sorted) {
        this.sorted = sorted;
    }

    /** The set of {@code resources}; of two with one name, the last wins. */
    public static ResourceSet of(Collection<XdsResource> resources) {
        XdsResource[] array = resources.toArray(XdsResource[]::new);
        Arrays.sort(array, BY_NAME);
        int kept = 0;
        for (int i = 0; i < array.length; i++) {
            if (kept > 0 && array[kept - 1].name().equals(array[i].name())) {
                array[kept - 1] = array[i];
            } else {
                array[kept++] = array[i];
            }
        }
        return new ResourceSet(kept == array.length ? array : Arrays.copyOf(array, kept));
    }

    /** This set with {@code more} added (replacing resources of the same name). */
    public ResourceSet with(Collection<XdsResource> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<XdsResource> all = new java.util.ArrayList<>(sorted.length + more.size());
        all.addAll(Arrays.asList(sorted));
        all.addAll(more);
        return of(all);
    }

    /** In name order. */
    public List<XdsResource> values() {
        return java.util.Collections.unmodifiableList(Arrays.asList(sorted));
    }

    public XdsResource get(String name) {
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = sorted[mid].name().compareTo(name);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return sorted[mid];
            }
        }
        return null;
    }

    public boolean containsKey(String name) {
        return get(name) != null;
    }

    public int size() {
        return sorted.length;
    }
}
