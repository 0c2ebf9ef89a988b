package dev.mesh.cluster.api;

/**
 * A request path resolved against the catalog: the resource type, namespace (null when
 * cluster-scoped or across all namespaces), object name and subresource (null when absent).
 */
record ApiPath(ResourceType type, String namespace, String name, String subresource, boolean watchPrefix) {

    /** Resolves {@code path} (no query), or throws NotFound the way the API server answers unknown paths. */
    static ApiPath parse(String path, ResourceCatalog catalog) {
        String[] seg = path.replaceAll("^/+|/+$", "").split("/");
        String group;
        String version;
        int i;
        if (seg.length >= 2 && seg[0].equals("api")) {
            group = "";
            version = seg[1];
            i = 2;
        } else if (seg.length >= 3 && seg[0].equals("apis")) {
            group = seg[1];
            version = seg[2];
            i = 3;
        } else {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        boolean watch = false;
        if (i < seg.length && seg[i].equals("watch")) {
            watch = true;
            i++;
        }
        int left = seg.length - i;
        if (left <= 0) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        String namespace = null;
        if (left >= 3 && seg[i].equals("namespaces")) {
            ResourceType inNs = catalog.find(group, version, seg[i + 2]).orElse(null);
            if (inNs != null && inNs.namespaced()) {
                namespace = seg[i + 1];
                i += 2;
                left -= 2;
            }
        }
        if (left > 3) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        String plural = seg[i];
        ResourceType type = catalog.find(group, version, plural).orElseThrow(() -> ApiException.notFound(
                "the server could not find the requested resource (" + (group.isEmpty() ? "" : group + "/") + version
                        + " " + plural + ")"));
        String name = left >= 2 ? seg[i + 1] : null;
        String sub = left >= 3 ? seg[i + 2] : null;
        if (sub != null && !type.subresources().contains(sub)) {
            throw ApiException.notFound("the server could not find the requested resource (" + type.qualifiedName()
                    + " " + name + "/" + sub + ")");
        }
        return new ApiPath(type, namespace, name, sub, watch);
    }

    String objectPath() {
        return type.objectPath(namespace, name);
    }

    String collectionPath() {
        return type.collectionPath(namespace);
    }
}
