package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;

/**
 * Service cluster IPs from {@code 10.96.0.0/16}, as the API server allocates them at create:
 * {@code 10.96.0.1} is the {@code kubernetes} Service's; a requested address is honoured when free.
 */
final class ClusterIpAllocator {

    static final String KUBERNETES_SERVICE_IP = "10.96.0.1";
    private static final int BASE = (10 << 24) | (96 << 16);
    private static final int SIZE = 1 << 16;

    private final Store store;
    private int next = 10;

    ClusterIpAllocator(Store store) {
        this.store = store;
    }

    /** A free address, or {@code requested} when it is in range and free; throws Invalid otherwise. */
    synchronized String allocate(String requested, String serviceName) {
        Set<String> used = new HashSet<>();
        for (JsonNode svc : store.list("/api/v1/services", "").path("items")) {
            String ip = svc.path("spec").path("clusterIP").asText("");
            if (!ip.isEmpty()) {
                used.add(ip);
            }
        }
        if (requested != null && !requested.isEmpty()) {
            Integer n = parse(requested);
            if (n == null || (n - BASE) < 1 || (n - BASE) >= SIZE - 1) {
                throw ApiException.invalid("Service \"" + serviceName + "\" is invalid: spec.clusterIPs: Invalid value: \""
                        + requested + "\": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16");
            }
            if (used.contains(requested)) {
                throw ApiException.invalid("Service \"" + serviceName + "\" is invalid: spec.clusterIPs: Invalid value: \""
                        + requested + "\": failed to allocate IP " + requested + ": provided IP is already allocated");
            }
            return requested;
        }
        for (int i = 0; i < SIZE - 12; i++) {
            int offset = next;
            next = next + 1 >= SIZE - 1 ? 10 : next + 1;
            String ip = format(BASE + offset);
            if (!used.contains(ip)) {
                return ip;
            }
        }
        throw ApiException.invalid("Service \"" + serviceName + "\" is invalid: spec.clusterIPs: no free address left in 10.96.0.0/16");
    }

    private static Integer parse(String ip) {
        String[] p = ip.split("\\.");
        if (p.length != 4) {
            return null;
        }
        int n = 0;
        for (String s : p) {
            try {
                int b = Integer.parseInt(s);
                if (b < 0 || b > 255) {
                    return null;
                }
                n = (n << 8) | b;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return n;
    }

    private static String format(int n) {
        return ((n >>> 24) & 255) + "." + ((n >>> 16) & 255) + "." + ((n >>> 8) & 255) + "." + (n & 255);
    }
}
