package dev.mesh.cluster.api;

import java.util.Optional;

/**
 * Where {@code GET /api/v1/namespaces/<ns>/pods/<pod>/log} reads from; the local kubelet
 * implements it. Without one, log requests answer 404.
 */
@FunctionalInterface
public interface PodLogProvider {

    /**
     * The log of {@code container} of pod {@code namespace/pod} ({@code container} is null when the
     * request names none: the pod's only or first container), or empty when there is none.
     */
    Optional<String> log(String namespace, String pod, String container);
}
