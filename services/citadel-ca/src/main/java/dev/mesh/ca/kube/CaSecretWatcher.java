package dev.mesh.ca.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.concurrent.TimeUnit;

/** Calls {@code onChange} whenever {@code cacerts} or {@code istio-ca-secret} is added, changed or deleted. */
public final class CaSecretWatcher implements AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final Runnable onChange;
    private SharedIndexInformer<Secret> informer;

    public CaSecretWatcher(KubernetesClient client, String namespace, Runnable onChange) {
        this.client = client;
        this.namespace = namespace;
        this.onChange = onChange;
    }

    public void start() {
        informer = client.secrets().inNamespace(namespace).runnableInformer(TimeUnit.MINUTES.toMillis(10));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                changed(secret);
            }

            @Override
            public void onUpdate(Secret before, Secret after) {
                if (!java.util.Objects.equals(before.getData(), after.getData())) {
                    changed(after);
                }
            }

            @Override
            public void onDelete(Secret secret, boolean finalStateUnknown) {
                changed(secret);
            }
        });
        informer.run();
    }

    private void changed(Secret secret) {
        String name = secret.getMetadata().getName();
        if (CaSecretStore.PLUGGED_IN.equals(name) || CaSecretStore.SELF_SIGNED.equals(name)) {
            onChange.run();
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
