package dev.mesh.cli.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies a rendered manifest to a cluster and waits for it, reporting one line per component as istioctl does
 * ({@code ✔ config-distributor installed}). Applying creates what is missing and replaces what exists, keeping the
 * values the cluster or the mesh itself filled in (a Service's cluster IP and node ports, the webhook's caBundle,
 * which injector-webhook writes at start).
 */
public final class Installer {

    /** Label on a namespace meshctl created, so that {@code uninstall --purge} removes it and only it. */
    public static final String CREATED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String CREATED_BY = "meshctl";

    private final KubernetesClient client;
    private final PrintWriter out;
    private final Duration timeout;
    private final Duration pollInterval;

    public Installer(KubernetesClient client, PrintWriter out, Duration timeout, Duration pollInterval) {
        this.client = client;
        this.out = out;
        this.timeout = timeout;
        this.pollInterval = pollInterval;
    }

    /** Installs; throws {@link InstallException} naming what did not become ready, after printing why. */
    public void install(Manifest manifest, String namespace) throws InterruptedException {
        ensureNamespace(namespace);
        List<CustomResourceDefinition> crds = manifest.all(CustomResourceDefinition.class);
        for (CustomResourceDefinition crd : crds) {
            apply(crd);
        }
        if (!crds.isEmpty()) {
            awaitCrdsServed(crds);
            ok("CRDs installed (" + crds.size() + ")");
        }
        for (HasMetadata object : manifest.objects()) {
            if (!(object instanceof CustomResourceDefinition)) {
                apply(object);
            }
        }
        awaitDeployments(manifest.all(Deployment.class));
        ok("Installation complete");
    }

    private void ensureNamespace(String namespace) {
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .addToLabels("kubernetes.io/metadata.name", namespace)
                    .addToLabels(CREATED_BY_LABEL, CREATED_BY).endMetadata().build()).create();
        }
    }

    /** Creates {@code object}, or replaces it keeping what the cluster and the mesh filled in. */
    void apply(HasMetadata object) {
        try {
            HasMetadata existing = client.resource(object).get();
            if (existing == null) {
                client.resource(object).create();
                return;
            }
            keepClusterFilledFields(existing, object);
            object.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            client.resource(object).update();
        } catch (KubernetesClientException e) {
            throw new InstallException("cannot apply " + Manifest.describe(object) + ": "
                    + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage()), e);
        }
    }

    private static void keepClusterFilledFields(HasMetadata existing, HasMetadata wanted) {
        if (existing instanceof Service before && wanted instanceof Service after) {
            if (after.getSpec().getClusterIP() == null) {
                after.getSpec().setClusterIP(before.getSpec().getClusterIP());
                after.getSpec().setClusterIPs(before.getSpec().getClusterIPs());
            }
            Map<String, Integer> nodePorts = new LinkedHashMap<>();
            for (ServicePort port : before.getSpec().getPorts()) {
                if (port.getNodePort() != null) {
                    nodePorts.put(port.getName(), port.getNodePort());
                }
            }
            for (ServicePort port : after.getSpec().getPorts()) {
                if (port.getNodePort() == null) {
                    port.setNodePort(nodePorts.get(port.getName()));
                }
            }
        }
        if (existing instanceof MutatingWebhookConfiguration before
                && wanted instanceof MutatingWebhookConfiguration after) {
            for (MutatingWebhook webhook : after.getWebhooks()) {
                if (webhook.getClientConfig().getCaBundle() != null) {
                    continue;
                }
                before.getWebhooks().stream().filter(w -> w.getName().equals(webhook.getName())).findFirst()
                        .ifPresent(w -> webhook.getClientConfig().setCaBundle(w.getClientConfig().getCaBundle()));
            }
        }
    }

    /** A CRD counts as installed when the API serves its resources (what Established promises). */
    private void awaitCrdsServed(List<CustomResourceDefinition> crds) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CustomResourceDefinition> pending = new ArrayList<>(crds);
        while (true) {
            pending.removeIf(this::served);
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw failed("CRDs not served after " + seconds(timeout) + ": "
                        + pending.stream().map(c -> c.getMetadata().getName()).toList());
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }

    private boolean served(CustomResourceDefinition crd) {
        String version = crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getServed()))
                .map(v -> v.getName()).findFirst().orElse(null);
        if (version == null) {
            return true;
        }
        try {
            client.genericKubernetesResources(crd.getSpec().getGroup() + "/" + version, crd.getSpec().getNames()
                    .getKind()).inAnyNamespace().list();
            return true;
        } catch (KubernetesClientException e) {
            return false;
        }
    }

    private void awaitDeployments(List<Deployment> deployments) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Deployment> pending = new ArrayList<>(deployments);
        while (!pending.isEmpty()) {
            for (Deployment wanted : List.copyOf(pending)) {
                Deployment current = client.apps().deployments().inNamespace(wanted.getMetadata().getNamespace())
                        .withName(wanted.getMetadata().getName()).get();
                if (current != null && DeploymentReadiness.ready(current)) {
                    pending.remove(wanted);
                    ok(wanted.getMetadata().getName() + " installed");
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                for (Deployment wanted : pending) {
                    out.println("✘ " + wanted.getMetadata().getName() + ": " + whyNotReady(wanted));
                }
                out.flush();
                throw failed(pending.size() + " component(s) not ready after " + seconds(timeout) + ": "
                        + pending.stream().map(d -> d.getMetadata().getName()).toList());
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }

    /** What the Deployment and its pods say about why it is not ready, in one line. */
    private String whyNotReady(Deployment wanted) {
        Deployment current = client.apps().deployments().inNamespace(wanted.getMetadata().getNamespace())
                .withName(wanted.getMetadata().getName()).get();
        if (current == null) {
            return "the Deployment is gone";
        }
        StringBuilder why = new StringBuilder(DeploymentReadiness.summary(current));
        List<Pod> pods = client.pods().inNamespace(wanted.getMetadata().getNamespace())
                .withLabels(current.getSpec().getSelector().getMatchLabels()).list().getItems();
        if (pods.isEmpty()) {
            why.append("; no pods");
        }
        for (Pod pod : pods) {
            why.append("; pod ").append(pod.getMetadata().getName()).append(": ").append(DeploymentReadiness.podState(pod));
        }
        return why.toString();
    }

    private void ok(String line) {
        out.println("✔ " + line);
        out.flush();
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + "s";
    }

    private static InstallException failed(String message) {
        return new InstallException(message, null);
    }

    /** The install did not complete; the message says what is missing or not ready. */
    public static final class InstallException extends RuntimeException {
        public InstallException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static boolean createdByMeshctl(Namespace namespace) {
        return namespace.getMetadata().getLabels() != null
                && Objects.equals(namespace.getMetadata().getLabels().get(CREATED_BY_LABEL), CREATED_BY);
    }
}
