package dev.mesh.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems of one resource while it is parsed and validated. Not thread-safe: one
 * instance per resource, used by one parse.
 */
public final class Problems {

    private final String resource;
    private final List<Problem> problems = new ArrayList<>();
    private final List<String> unknownFields = new ArrayList<>();

    public Problems(String resource) {
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }

    public void error(String path, String message) {
        problems.add(Problem.error(resource, path, message));
    }

    public void warning(String path, String message) {
        problems.add(Problem.warning(resource, path, message));
    }

    void unknownField(String path) {
        unknownFields.add(path);
        problems.add(Problem.warning(resource, path, "unknown field, kept as written but not used by the mesh"));
    }

    public List<Problem> all() {
        return List.copyOf(problems);
    }

    public List<String> unknownFields() {
        return List.copyOf(unknownFields);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }
}
