package dev.mesh.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One Istio resource: its envelope, its typed spec, and what was wrong with it.
 *
 * @param spec          the parsed spec; fields with errors are absent from it
 * @param problems      every error and warning found, each naming this resource and a field path
 * @param unknownFields the field paths present in the document but not part of the API the mesh reads
 */
public record IstioResource<S>(Kind<S> kind, String apiVersion, ObjectMeta metadata, S spec, JsonNode raw,
        String source, List<Problem> problems, List<String> unknownFields) implements Manifest {

    public IstioResource {
        problems = List.copyOf(problems);
        unknownFields = List.copyOf(unknownFields);
    }

    @Override
    public String kindName() {
        return kind.kind();
    }

    /** Valid: no errors (warnings such as unknown fields do not make a resource invalid). */
    public boolean isValid() {
        return problems.stream().noneMatch(Problem::isError);
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    /** This resource typed as {@code other}, when it is of that kind. */
    @SuppressWarnings("unchecked")
    public <T> java.util.Optional<IstioResource<T>> as(Kind<T> other) {
        return kind.equals(other) ? java.util.Optional.of((IstioResource<T>) this) : java.util.Optional.empty();
    }

    @Override
    public IstioResource<S> inNamespace(String namespace) {
        if (!metadata.namespace().isEmpty()) {
            return this;
        }
        return new IstioResource<>(kind, apiVersion, metadata.withNamespace(namespace), spec, raw, source,
                problems, unknownFields);
    }
}
