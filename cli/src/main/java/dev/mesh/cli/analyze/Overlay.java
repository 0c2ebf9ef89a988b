package dev.mesh.cli.analyze;

import dev.mesh.api.Manifest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Files over a live cluster, as {@code istioctl analyze <files>} with a cluster sees them: what applying the files
 * would give. A file object replaces the cluster's object of the same group, kind, namespace and name (whatever
 * the version); every other cluster object stays. Files come first, as Istio's aggregate store lists its file
 * source first.
 */
public final class Overlay {

    private Overlay() {
    }

    public static List<Manifest> filesOverCluster(List<Manifest> cluster, List<Manifest> files) {
        Set<String> replaced = new HashSet<>();
        files.forEach(m -> replaced.add(key(m)));
        List<Manifest> all = new ArrayList<>(files);
        cluster.stream().filter(m -> !replaced.contains(key(m))).forEach(all::add);
        return all;
    }

    /** {@code group/kind/namespace/name}; the version does not matter, the API server stores one object. */
    static String key(Manifest m) {
        String apiVersion = m.apiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return group + "/" + m.kindName() + "/" + m.metadata().namespace() + "/" + m.metadata().name();
    }
}
