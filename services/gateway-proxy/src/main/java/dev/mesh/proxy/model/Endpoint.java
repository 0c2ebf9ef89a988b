package dev.mesh.proxy.model;

/** One upstream address with its load-balancing weight and, from EDS metadata, its workload name. */
public record Endpoint(String host, int port, int weight, String workload) {

    public String key() {
        return host + ":" + port;
    }
}
