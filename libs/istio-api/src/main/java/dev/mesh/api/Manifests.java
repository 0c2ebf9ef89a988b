package dev.mesh.api;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a read of manifests gave: every object that could be identified (valid or not), and every
 * problem found, those of the documents that could not be identified included.
 */
public record Manifests(List<Manifest> resources, List<Problem> readProblems) {

    public Manifests {
        resources = List.copyOf(resources);
        readProblems = List.copyOf(readProblems);
    }

    /** Every problem: the read's own, then each resource's. */
    public List<Problem> problems() {
        List<Problem> all = new ArrayList<>(readProblems);
        for (Manifest m : resources) {
            if (m instanceof IstioResource<?> r) {
                all.addAll(r.problems());
            }
        }
        return all;
    }

    public List<Problem> errors() {
        return problems().stream().filter(Problem::isError).toList();
    }

    public <S> List<IstioResource<S>> of(Kind<S> kind) {
        return resources.stream()
                .flatMap(m -> m instanceof IstioResource<?> r ? r.as(kind).stream() : Stream.empty())
                .toList();
    }

    public List<KubeResource> kube(String kind) {
        return resources.stream()
                .flatMap(m -> m instanceof KubeResource k && k.kindName().equals(kind) ? Stream.of(k) : Stream.empty())
                .toList();
    }

    /** Every object with no namespace placed in {@code namespace}, as kubectl apply -n does. */
    public Manifests inNamespace(String namespace) {
        return new Manifests(resources.stream().map(m -> m.inNamespace(namespace)).toList(), readProblems);
    }
}
