package dev.mesh.distributor.model;

/** Namespace and name: how the mesh keys every namespaced object. */
public record ObjectKey(String namespace, String name) implements Comparable<ObjectKey> {

    @Override
    public int compareTo(ObjectKey o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
