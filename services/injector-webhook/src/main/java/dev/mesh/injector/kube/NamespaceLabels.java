package dev.mesh.injector.kube;

import java.util.Map;

/** The labels of a namespace (its {@code istio-injection} label decides injection). */
@FunctionalInterface
public interface NamespaceLabels {

    /**
     * The namespace's labels; empty if it has none or does not exist.
     *
     * @throws NamespaceLabelsUnavailableException if they cannot be known now (API server unreachable)
     */
    Map<String, String> labels(String namespace);

    /** The labels cannot be read now; distinct from "the namespace has no labels". */
    final class NamespaceLabelsUnavailableException extends RuntimeException {
        public NamespaceLabelsUnavailableException(String namespace, Throwable cause) {
            super("cannot read the labels of namespace " + namespace + ": " + cause.getMessage(), cause);
        }
    }
}
