package dev.mesh.cli.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mesh.api.KubeResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod, or the pod template of a workload controller (Deployment, StatefulSet, ...) standing for the pods it
 * will create: offline, users hand meshctl Deployments, not Pods.
 *
 * @param resource the Pod or the controller
 * @param labels   the pod's labels (the template's, for a controller)
 */
public record Workload(KubeResource resource, Map<String, String> labels, Map<String, String> annotations,
        List<String> containerNames, boolean hostNetwork, String nodeName) {

    /** Kinds whose {@code spec.template} is a pod template. */
    static final Set<String> CONTROLLER_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
            "Job", "ReplicationController");

    public Workload {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        containerNames = List.copyOf(containerNames);
    }

    public String namespace() {
        return resource.metadata().namespace();
    }

    /** A real Pod, not a template. */
    public boolean isPod() {
        return "Pod".equals(resource.kindName());
    }

    /** The pod(s) a manifest stands for: a Pod, a controller's template, a CronJob's job template; else none. */
    static List<Workload> from(KubeResource resource) {
        JsonNode raw = resource.raw();
        String kind = resource.kindName();
        if ("Pod".equals(kind)) {
            return List.of(of(resource, resource.metadata().labels(), resource.metadata().annotations(),
                    raw.path("spec")));
        }
        JsonNode template;
        if (CONTROLLER_KINDS.contains(kind)) {
            template = raw.path("spec").path("template");
        } else if ("CronJob".equals(kind)) {
            template = raw.path("spec").path("jobTemplate").path("spec").path("template");
        } else {
            return List.of();
        }
        if (!template.isObject()) {
            return List.of();
        }
        JsonNode meta = template.path("metadata");
        return List.of(of(resource, Json.stringMap(meta.path("labels")), Json.stringMap(meta.path("annotations")),
                template.path("spec")));
    }

    private static Workload of(KubeResource resource, Map<String, String> labels, Map<String, String> annotations,
            JsonNode podSpec) {
        List<String> containers = new ArrayList<>();
        for (JsonNode c : podSpec.path("containers")) {
            containers.add(c.path("name").asText(""));
        }
        return new Workload(resource, labels, annotations, containers, podSpec.path("hostNetwork").asBoolean(false),
                podSpec.path("nodeName").asText(""));
    }
}
