package dev.mesh.injector.kube;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Namespace labels from a namespace informer's cache, so that an admission costs no API call. A namespace the
 * cache does not know yet (created a moment ago, or the informer has not synced) is read directly.
 */
public final class NamespaceInformer implements NamespaceLabels, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NamespaceInformer.class);

    private final KubernetesClient client;
    private final SharedIndexInformer<Namespace> informer;

    public NamespaceInformer(KubernetesClient client) {
        this.client = client;
        this.informer = client.namespaces().runnableInformer(0);
    }

    /** Starts watching; an unreachable API server is logged, and the informer keeps retrying. */
    public void start() {
        informer.start().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.errorf("namespace informer could not start (namespace labels are read directly until it does): %s",
                        error.getMessage());
            } else {
                LOG.infof("namespace informer synced: %d namespaces", informer.getStore().list().size());
            }
        });
    }

    @Override
    public Map<String, String> labels(String namespace) {
        Namespace cached = informer.hasSynced() ? informer.getStore().getByKey(namespace) : null;
        if (cached != null) {
            return labelsOf(cached);
        }
        try {
            return labelsOf(client.namespaces().withName(namespace).get());
        } catch (KubernetesClientException e) {
            throw new NamespaceLabelsUnavailableException(namespace, e);
        }
    }

    private static Map<String, String> labelsOf(Namespace ns) {
        if (ns == null || ns.getMetadata() == null || ns.getMetadata().getLabels() == null) {
            return Map.of();
        }
        return Map.copyOf(ns.getMetadata().getLabels());
    }

    @Override
    public void close() {
        informer.close();
    }
}
