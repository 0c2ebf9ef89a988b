package dev.mesh.cluster.controllers;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Namespaces: every active namespace gets its {@code default} ServiceAccount (as the
 * ServiceAccount controller does); a namespace being deleted (deletionTimestamp, phase
 * Terminating) has every namespaced object in it deleted, built-in kinds and custom resources,
 * and then its {@code kubernetes} finalizer removed through {@code /finalize}, which lets the API
 * remove the namespace.
 */
final class NamespaceController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NamespaceController.class);

    /** Namespaced built-in kinds, workloads first so that controllers do not recreate what is deleted. */
    private static final List<String[]> BUILT_IN = List.of(
            new String[] {"apps/v1", "Deployment"}, new String[] {"apps/v1", "StatefulSet"},
            new String[] {"apps/v1", "DaemonSet"}, new String[] {"apps/v1", "ReplicaSet"},
            new String[] {"batch/v1", "CronJob"}, new String[] {"batch/v1", "Job"},
            new String[] {"v1", "ReplicationController"}, new String[] {"v1", "Pod"}, new String[] {"v1", "Service"},
            new String[] {"discovery.k8s.io/v1", "EndpointSlice"}, new String[] {"v1", "Endpoints"},
            new String[] {"v1", "ConfigMap"}, new String[] {"v1", "Secret"}, new String[] {"v1", "ServiceAccount"},
            new String[] {"v1", "Event"}, new String[] {"v1", "PersistentVolumeClaim"}, new String[] {"v1", "ResourceQuota"},
            new String[] {"v1", "LimitRange"}, new String[] {"apps/v1", "ControllerRevision"},
            new String[] {"autoscaling/v2", "HorizontalPodAutoscaler"}, new String[] {"policy/v1", "PodDisruptionBudget"},
            new String[] {"coordination.k8s.io/v1", "Lease"}, new String[] {"networking.k8s.io/v1", "Ingress"},
            new String[] {"networking.k8s.io/v1", "NetworkPolicy"}, new String[] {"rbac.authorization.k8s.io/v1", "Role"},
            new String[] {"rbac.authorization.k8s.io/v1", "RoleBinding"});

    private final KubernetesClient client;
    private final KeyQueue queue;
    private final SharedIndexInformer<Namespace> namespaces;

    NamespaceController(KubernetesClient client) {
        this.client = client;
        this.queue = new KeyQueue("namespaces", this::reconcile);
        this.namespaces = client.namespaces().inform(Informers.onAny(n -> queue.add(n.getMetadata().getName()), n -> { }), 0);
    }

    private void reconcile(String name) {
        Namespace ns = namespaces.getStore().getByKey(name);
        if (ns == null) {
            return;
        }
        if (!Informers.terminating(ns)) {
            ensureDefaultServiceAccount(name);
            return;
        }
        int left = 0;
        for (String[] kind : kinds()) {
            List<GenericKubernetesResource> items = client.genericKubernetesResources(kind[0], kind[1]).inNamespace(name).list().getItems();
            for (GenericKubernetesResource item : items) {
                left++;
                try {
                    client.genericKubernetesResources(kind[0], kind[1]).inNamespace(name).withName(item.getMetadata().getName()).delete();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
        }
        if (left > 0) {
            // Another pass: controllers may have written while we deleted (a last status update, a slice).
            queue.addAfter(name, 200);
            return;
        }
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"finalizers\":[]}}";
        client.raw(client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + name + "/finalize", "PUT", body);
        LOG.debugf("namespace %s emptied and finalized", name);
    }

    private List<String[]> kinds() {
        List<String[]> out = new ArrayList<>(BUILT_IN);
        for (CustomResourceDefinition crd : client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
            if (!"Namespaced".equals(crd.getSpec().getScope())) {
                continue;
            }
            for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
                if (Boolean.TRUE.equals(v.getStorage())) {
                    out.add(new String[] {crd.getSpec().getGroup() + "/" + v.getName(), crd.getSpec().getNames().getKind()});
                }
            }
        }
        return out;
    }

    private void ensureDefaultServiceAccount(String namespace) {
        if (client.serviceAccounts().inNamespace(namespace).withName("default").get() != null) {
            return;
        }
        try {
            client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName("default").withNamespace(namespace).endMetadata().build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 403) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        namespaces.close();
        queue.close();
    }
}
