package dev.mesh.cli.install;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Whether a Deployment has rolled out, by the rule {@code kubectl rollout status} applies. */
final class DeploymentReadiness {

    private DeploymentReadiness() {
    }

    static boolean ready(Deployment deployment) {
        DeploymentStatus status = deployment.getStatus();
        if (status == null) {
            return false;
        }
        Long generation = deployment.getMetadata().getGeneration();
        if (generation != null && (status.getObservedGeneration() == null
                || status.getObservedGeneration() < generation)) {
            return false;
        }
        int wanted = wanted(deployment);
        int ready = count(status.getReadyReplicas());
        // An API server that does not report updated/available replicas (a minimal one) is judged by ready ones.
        int updated = status.getUpdatedReplicas() == null ? ready : status.getUpdatedReplicas();
        int available = status.getAvailableReplicas() == null ? ready : status.getAvailableReplicas();
        return updated >= wanted && ready >= wanted && available >= wanted && count(status.getReplicas()) <= wanted;
    }

    static String summary(Deployment deployment) {
        DeploymentStatus status = deployment.getStatus();
        int ready = status == null ? 0 : count(status.getReadyReplicas());
        return ready + " of " + wanted(deployment) + " replicas ready";
    }

    /** A pod's phase and, for each container that is not ready, its state, as kubectl describe shows it. */
    static String podState(Pod pod) {
        List<String> parts = new ArrayList<>();
        parts.add(pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending"
                : pod.getStatus().getPhase());
        if (pod.getStatus() != null) {
            for (ContainerStatus c : pod.getStatus().getContainerStatuses()) {
                if (Boolean.TRUE.equals(c.getReady())) {
                    continue;
                }
                String state = "not ready";
                if (c.getState() != null && c.getState().getWaiting() != null) {
                    state = "waiting: " + Objects.toString(c.getState().getWaiting().getReason(), "")
                            + (c.getState().getWaiting().getMessage() == null ? ""
                            : " (" + c.getState().getWaiting().getMessage() + ")");
                } else if (c.getState() != null && c.getState().getTerminated() != null) {
                    state = "terminated: " + c.getState().getTerminated().getReason() + ", exit code "
                            + c.getState().getTerminated().getExitCode();
                }
                parts.add("container " + c.getName() + " " + state);
            }
        }
        return String.join(", ", parts);
    }

    private static int wanted(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    private static int count(Integer n) {
        return n == null ? 0 : n;
    }
}
