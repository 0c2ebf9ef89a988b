package dev.mesh.injection;

import java.util.List;

/**
 * The pod asks for something the injector cannot honour (a malformed {@code traffic.sidecar.istio.io/*}
 * annotation): the pod is refused rather than started with capture rules nobody asked for. The message names
 * every bad annotation and its value.
 */
public final class InjectionRefusedException extends RuntimeException {

    private final List<String> problems;

    public InjectionRefusedException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
