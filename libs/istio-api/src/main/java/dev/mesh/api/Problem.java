package dev.mesh.api;

/**
 * One thing wrong with one resource: which resource, where in it, and what.
 *
 * @param resource the resource as {@code Kind namespace/name} (or {@code Kind name} when it has no
 *                 namespace), or the source file when no resource could be identified
 * @param path     the field path inside the resource, for instance {@code spec.http[0].route[1].weight};
 *                 empty when the problem is with the document as a whole
 * @param message  what is wrong, in words a user can act on
 * @param severity {@link Severity#ERROR} makes the resource invalid; {@link Severity#WARNING} does not
 */
public record Problem(String resource, String path, String message, Severity severity) {

    public enum Severity { ERROR, WARNING }

    public static Problem error(String resource, String path, String message) {
        return new Problem(resource, path, message, Severity.ERROR);
    }

    public static Problem warning(String resource, String path, String message) {
        return new Problem(resource, path, message, Severity.WARNING);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code VirtualService demo/podinfo: spec.http[0].route: ...}, the form every tool prints. */
    @Override
    public String toString() {
        return resource + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
