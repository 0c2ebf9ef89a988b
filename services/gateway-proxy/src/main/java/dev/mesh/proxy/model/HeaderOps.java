package dev.mesh.proxy.model;

import java.util.List;

/** Request and response header additions and removals configured at one level (route table, host, route, cluster). */
public record HeaderOps(List<HeaderValue> requestAdd, List<String> requestRemove,
        List<HeaderValue> responseAdd, List<String> responseRemove) {

    public static final HeaderOps NONE = new HeaderOps(List.of(), List.of(), List.of(), List.of());

    /** One header to set; {@code append} keeps existing values. */
    public record HeaderValue(String name, String value, boolean append) {}

    public boolean isEmpty() {
        return requestAdd.isEmpty() && requestRemove.isEmpty() && responseAdd.isEmpty() && responseRemove.isEmpty();
    }
}
