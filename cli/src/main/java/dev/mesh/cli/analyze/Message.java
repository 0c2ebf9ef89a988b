package dev.mesh.cli.analyze;

/**
 * One analysis finding.
 *
 * @param type      what kind of finding
 * @param resource  the resource it is about as {@code Kind namespace/name} ({@code Kind name} when it has no namespace)
 * @param namespace the resource's namespace (a Namespace's own name), empty for other cluster-scoped resources;
 *                  used to filter by {@code -n}
 * @param text      the rendered template
 */
public record Message(MessageType type, String resource, String namespace, String text) {

    public Level level() {
        return type.level();
    }

    public String code() {
        return type.code();
    }

    /** The log form istioctl prints: {@code Error [IST0101] (VirtualService demo/podinfo) Referenced ...}. */
    public String render() {
        return type.level() + " [" + type.code() + "] (" + resource + ") " + text;
    }
}
