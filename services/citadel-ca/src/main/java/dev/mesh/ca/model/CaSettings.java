package dev.mesh.ca.model;

import java.time.Duration;
import java.util.List;

/** The CA's settings as plain values, so that the logic never needs Quarkus to be constructed. */
public record CaSettings(
        String namespace,
        String trustDomain,
        String tokenAudience,
        Duration defaultTtl,
        Duration maxTtl,
        Duration rootTtl,
        List<String> serverDnsNames,
        String distributorSecret,
        List<String> distributorDnsNames) {

    public CaSettings {
        serverDnsNames = List.copyOf(serverDnsNames);
        distributorDnsNames = List.copyOf(distributorDnsNames);
        if (defaultTtl.isNegative() || defaultTtl.isZero() || defaultTtl.compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("mesh.ca.default-ttl must be positive and at most mesh.ca.max-ttl, was "
                    + defaultTtl + " with max " + maxTtl);
        }
    }

    /** Defaults as in {@code CaConfig}, for tests and tools. */
    public static CaSettings defaults(String namespace) {
        return new CaSettings(namespace, "cluster.local", "istio-ca", Duration.ofHours(24), Duration.ofDays(90),
                Duration.ofDays(3650), defaultServerDnsNames(namespace), "config-distributor-tls",
                defaultDistributorDnsNames(namespace));
    }

    public static List<String> defaultDistributorDnsNames(String namespace) {
        return List.of("config-distributor." + namespace + ".svc",
                "config-distributor." + namespace + ".svc.cluster.local");
    }

    public static List<String> defaultServerDnsNames(String namespace) {
        return List.of("citadel-ca." + namespace + ".svc", "citadel-ca." + namespace + ".svc.cluster.local");
    }
}
