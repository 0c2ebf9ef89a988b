package dev.mesh.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code meshctl kube-inject}: injects the sidecar into the pods and pod templates of Kubernetes manifests, offline,
 * with the same {@link Injector} the webhook runs. Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
 * ReplicationControllers, Jobs and CronJobs (and the items of a List) are injected; every other document is
 * passed through unchanged, as istioctl kube-inject does.
 *
 * <p>Offline there are no namespace labels to read: as with istioctl, asking for kube-inject is asking for
 * injection, so the namespace counts as {@code istio-injection=enabled}; hostNetwork pods, opt-outs, already
 * injected pods, kube-system, kube-public and the mesh's own namespace are still left alone.
 */
public final class ManifestInjector {

    private static final Map<String, String> ENABLED = Map.of(Injector.NAMESPACE_LABEL, "enabled");
    private static final List<String> TEMPLATE_KINDS = List.of("Deployment", "StatefulSet", "DaemonSet",
            "ReplicaSet", "ReplicationController", "Job");

    private final Injector injector;
    private final InjectionTemplate template;
    private final String meshNamespace;

    public ManifestInjector(Injector injector, InjectionTemplate template, String meshNamespace) {
        this.injector = injector;
        this.template = template;
        this.meshNamespace = meshNamespace;
    }

    /**
     * Injects every document that has a pod; returns all documents in their order.
     *
     * @throws InjectionRefusedException if a pod's annotations are malformed; the message names the resource
     */
    public List<JsonNode> inject(List<JsonNode> documents) {
        List<JsonNode> out = new ArrayList<>(documents.size());
        for (JsonNode doc : documents) {
            out.add(injectDocument(doc));
        }
        return out;
    }

    private JsonNode injectDocument(JsonNode doc) {
        if (!doc.isObject()) {
            return doc;
        }
        String kind = doc.path("kind").asText("");
        ObjectNode copy = doc.deepCopy();
        if (kind.equals("List")) {
            if (copy.get("items") instanceof com.fasterxml.jackson.databind.node.ArrayNode items) {
                for (int i = 0; i < items.size(); i++) {
                    items.set(i, injectDocument(items.get(i)));
                }
            }
            return copy;
        }
        String namespace = doc.path("metadata").path("namespace").asText("default");
        String name = doc.path("metadata").path("name").asText("");
        if (kind.equals("Pod")) {
            return injectPod(copy, namespace, null, kind, name);
        }
        ObjectNode holder;
        if (TEMPLATE_KINDS.contains(kind)) {
            holder = objectAt(copy, "spec");
        } else if (kind.equals("CronJob")) {
            holder = objectAt(objectAt(objectAt(copy, "spec"), "jobTemplate"), "spec");
        } else {
            return doc;
        }
        if (holder == null || !(holder.get("template") instanceof ObjectNode podTemplate)) {
            return doc;
        }
        holder.set("template", injectPod(podTemplate, namespace, name.isEmpty() ? null : name, kind, name));
        return copy;
    }

    private JsonNode injectPod(ObjectNode pod, String namespace, String workload, String kind, String name) {
        InjectionResult result = injector.inject(
                new InjectionRequest(pod, namespace, ENABLED, meshNamespace, workload), template);
        return switch (result.outcome()) {
            case INJECTED -> result.pod();
            case SKIPPED -> pod;
            case REFUSED -> throw new InjectionRefusedException(
                    List.of(kind + " " + namespace + "/" + name + ": " + result.message()));
        };
    }

    private static ObjectNode objectAt(ObjectNode parent, String field) {
        return parent != null && parent.get(field) instanceof ObjectNode o ? o : null;
    }
}
