package dev.mesh.api;

import java.util.Map;

/**
 * The part of Kubernetes object metadata the mesh reads.
 *
 * @param namespace empty when the manifest does not say; tools decide the default
 */
public record ObjectMeta(String name, String namespace, Map<String, String> labels,
        Map<String, String> annotations) {

    public ObjectMeta {
        name = name == null ? "" : name;
        namespace = namespace == null ? "" : namespace;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static ObjectMeta of(String name, String namespace) {
        return new ObjectMeta(name, namespace, Map.of(), Map.of());
    }

    /** The same metadata in another namespace (used to apply a default namespace). */
    public ObjectMeta withNamespace(String newNamespace) {
        return new ObjectMeta(name, newNamespace, labels, annotations);
    }

    static ObjectMeta parse(Node node) {
        ObjectMeta meta = new ObjectMeta(node.string("name"), node.string("namespace"),
                node.stringMap("labels"), node.stringMap("annotations"));
        // The rest of metadata (uid, generateName, ownerReferences, ...) is Kubernetes' own business.
        node.ignoreOtherFields();
        return meta;
    }
}
