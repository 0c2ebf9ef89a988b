package dev.mesh.cluster.api;

import java.util.List;
import java.util.Set;

/**
 * One kind of resource the API serves: where it lives ({@code group/version/plural}), what it is
 * called, whether it is namespaced, its subresources and, for custom resources, the CRD's printer
 * columns.
 */
record ResourceType(String group, String version, String plural, String singular, String kind, boolean namespaced,
        List<String> shortNames, List<String> categories, Set<String> subresources, List<PrinterColumn> printerColumns,
        boolean custom) {

    /** A CRD's {@code additionalPrinterColumns} entry. */
    record PrinterColumn(String name, String type, String format, String description, int priority, String jsonPath) {
    }

    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code pods}, {@code deployments.apps}: how error messages name the resource, as the API server does. */
    String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** The collection path, in {@code namespace} when namespaced (null: across all namespaces). */
    String collectionPath(String namespace) {
        String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespaced && namespace != null ? base + "/namespaces/" + namespace + "/" + plural : base + "/" + plural;
    }

    String objectPath(String namespace, String name) {
        return collectionPath(namespace) + "/" + name;
    }

    boolean hasStatus() {
        return subresources.contains("status");
    }
}
