package dev.mesh.ca.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps ConfigMap {@code istio-ca-root-cert} (key {@code root-cert.pem}) in every namespace equal to
 * the current root: written when a namespace appears, rewritten when deleted or edited, updated
 * when the root changes. All writes run on the one control executor, so they never interleave.
 */
public final class RootCertPublisher implements AutoCloseable {

    public static final String CONFIG_MAP = "istio-ca-root-cert";
    public static final String KEY = "root-cert.pem";
    /** Istio's label on its root-cert ConfigMap; the ConfigMap watch selects on it. */
    static final Map<String, String> LABELS = Map.of("istio.io/config", "true");
    private static final long RESYNC_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private static final Logger LOG = Logger.getLogger(RootCertPublisher.class);

    private final KubernetesClient client;
    private final ScheduledExecutorService executor;
    private volatile String rootPem;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<ConfigMap> configMaps;

    public RootCertPublisher(KubernetesClient client, ScheduledExecutorService executor, String rootPem) {
        this.client = client;
        this.executor = executor;
        this.rootPem = rootPem;
    }

    public void start() {
        namespaces = client.namespaces().runnableInformer(RESYNC_MILLIS);
        namespaces.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                schedule(namespace.getMetadata().getName());
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
                schedule(after.getMetadata().getName());
            }

            @Override
            public void onDelete(Namespace namespace, boolean finalStateUnknown) {
                // nothing to keep: the API server deletes the namespace's ConfigMaps with it
            }
        });
        configMaps = client.configMaps().inAnyNamespace().withLabels(LABELS).runnableInformer(RESYNC_MILLIS);
        configMaps.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap configMap) {
                checkOne(configMap);
            }

            @Override
            public void onUpdate(ConfigMap before, ConfigMap after) {
                checkOne(after);
            }

            @Override
            public void onDelete(ConfigMap configMap, boolean finalStateUnknown) {
                if (CONFIG_MAP.equals(configMap.getMetadata().getName())) {
                    schedule(configMap.getMetadata().getNamespace());
                }
            }
        });
        // Handlers first, then start: they read the informers' stores, so both fields are set before any event.
        namespaces.run();
        configMaps.run();
    }

    /** The root changed: rewrite every namespace's copy. */
    public void rootChanged(String newRootPem) {
        executor.execute(() -> {
            rootPem = newRootPem;
            namespaces.getStore().list().forEach(ns -> ensureLogged(ns.getMetadata().getName()));
        });
    }

    private void checkOne(ConfigMap configMap) {
        if (CONFIG_MAP.equals(configMap.getMetadata().getName())
                && !Objects.equals(rootPem, configMap.getData() == null ? null : configMap.getData().get(KEY))) {
            schedule(configMap.getMetadata().getNamespace());
        }
    }

    private void schedule(String namespace) {
        executor.execute(() -> ensureLogged(namespace));
    }

    private void ensureLogged(String namespace) {
        try {
            ensure(namespace);
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not publish the root to namespace %s", namespace);
        }
    }

    private void ensure(String namespace) {
        Namespace ns = namespaces.getStore().getByKey(namespace);
        if (ns == null || ns.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String wanted = rootPem;
        try {
            ConfigMap existing = client.configMaps().inNamespace(namespace).withName(CONFIG_MAP).get();
            if (existing == null) {
                client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                        .withNewMetadata().withName(CONFIG_MAP).withNamespace(namespace).withLabels(LABELS).endMetadata()
                        .withData(Map.of(KEY, wanted)).build()).create();
                LOG.debugf("created ConfigMap %s/%s", namespace, CONFIG_MAP);
                return;
            }
            boolean labelled = existing.getMetadata().getLabels() != null
                    && existing.getMetadata().getLabels().entrySet().containsAll(LABELS.entrySet());
            if (existing.getData() != null && wanted.equals(existing.getData().get(KEY)) && labelled) {
                return;
            }
            ConfigMap updated = new ConfigMapBuilder(existing).editMetadata().addToLabels(LABELS).endMetadata()
                    .addToData(KEY, wanted).build();
            client.configMaps().inNamespace(namespace).resource(updated).update();
            LOG.debugf("updated ConfigMap %s/%s", namespace, CONFIG_MAP);
        } catch (KubernetesClientException e) {
            // A conflict (someone wrote in between) or an unreachable API server: try again shortly.
            LOG.warnf("could not write ConfigMap %s/%s (%s); retrying in 2 s", namespace, CONFIG_MAP, e.getMessage());
            executor.schedule(() -> ensureLogged(namespace), 2, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        if (namespaces != null) {
            namespaces.close();
        }
        if (configMaps != null) {
            configMaps.close();
        }
    }
}
