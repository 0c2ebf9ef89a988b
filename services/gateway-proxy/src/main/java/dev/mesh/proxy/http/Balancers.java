package dev.mesh.proxy.http;

import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One balancer per cluster, kept across config updates while the cluster and its endpoints stay the same so
 * round-robin position and active-request counts survive unrelated changes.
 */
public final class Balancers {

    private final Map<String, ClusterBalancer> byCluster = new ConcurrentHashMap<>();
    private final java.time.Clock clock;

    public Balancers(java.time.Clock clock) {
        this.clock = clock;
    }

    public ClusterBalancer forCluster(ClusterSpec spec, List<Endpoint> endpoints) {
        ClusterBalancer current = byCluster.get(spec.name());
        if (current != null && current.spec().equals(spec) && current.endpoints().equals(endpoints)) {
            return current;
        }
        return byCluster.compute(spec.name(), (name, old) ->
                old != null && old.spec().equals(spec) && old.endpoints().equals(endpoints)
                        ? old : new ClusterBalancer(spec, endpoints, clock));
    }

    /** Drops balancers of clusters no view uses any more. */
    public void retain(java.util.Set<String> clusterNames) {
        byCluster.keySet().retainAll(clusterNames);
    }
}
