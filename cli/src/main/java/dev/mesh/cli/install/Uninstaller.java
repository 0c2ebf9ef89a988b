package dev.mesh.cli.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Removes what {@link Installer} put into a cluster: every object of the rendered manifests, what the mesh's
 * services created at run time (the CA's root Secret and root-certificate ConfigMaps, the webhook's CA Secret),
 * and the mesh namespace when meshctl created it. A user's plugged-in CA ({@code cacerts}) is left alone.
 */
public final class Uninstaller {

    /** Secrets the services create themselves in the mesh namespace. */
    private static final List<String> RUNTIME_SECRETS = List.of("istio-ca-secret", "injector-webhook-ca",
            "config-distributor-tls");
    private static final String ROOT_CERT_CONFIG_MAP = "istio-ca-root-cert";
    private static final Map<String, String> ROOT_CERT_LABELS = Map.of("istio.io/config", "true");

    private final KubernetesClient client;
    private final PrintWriter out;
    private final Duration timeout;
    private final Duration pollInterval;

    public Uninstaller(KubernetesClient client, PrintWriter out, Duration timeout, Duration pollInterval) {
        this.client = client;
        this.out = out;
        this.timeout = timeout;
        this.pollInterval = pollInterval;
    }

    /** Deletes {@code manifest}'s objects (CRDs only with {@code purge}) and the mesh's run-time objects. */
    public void uninstall(Manifest manifest, String namespace, boolean purge) throws InterruptedException {
        int deleted = 0;
        for (HasMetadata object : manifest.deletionOrder()) {
            if (object instanceof CustomResourceDefinition && !purge) {
                continue;
            }
            deleted += delete(object);
        }
        for (String secret : RUNTIME_SECRETS) {
            deleted += client.secrets().inNamespace(namespace).withName(secret).delete().size();
        }
        for (var configMap : client.configMaps().inAnyNamespace().withLabels(ROOT_CERT_LABELS).list().getItems()) {
            if (ROOT_CERT_CONFIG_MAP.equals(configMap.getMetadata().getName())) {
                deleted += client.resource(configMap).delete().size();
            }
        }
        Namespace ns = client.namespaces().withName(namespace).get();
        boolean namespaceDeleted = purge && ns != null && Installer.createdByMeshctl(ns);
        if (namespaceDeleted) {
            deleted += client.namespaces().withName(namespace).delete().size();
        }
        out.println("✔ Removed " + deleted + " objects");
        awaitGone(namespace, namespaceDeleted);
        out.println("✔ Uninstall complete");
        out.flush();
    }

    private int delete(HasMetadata object) {
        try {
            return client.resource(object).delete().size();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return 0;
            }
            throw new Installer.InstallException("cannot delete " + Manifest.describe(object) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Waits until no pod of the mesh is left in its namespace and, when it was deleted, the namespace itself is
     * gone (the API server finalizes it after its objects), so that "complete" means nothing is left.
     */
    private void awaitGone(String namespace, boolean namespaceDeleted) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> left = new java.util.ArrayList<>(client.pods().inNamespace(namespace)
                    .withLabel("app.kubernetes.io/part-of", "mesh").list().getItems().stream()
                    .map(p -> "pod " + p.getMetadata().getName()).toList());
            if (namespaceDeleted && client.namespaces().withName(namespace).get() != null) {
                left.add("namespace " + namespace + " (terminating)");
            }
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new Installer.InstallException("still there after " + timeout.toSeconds() + "s: " + left, null);
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }
}
