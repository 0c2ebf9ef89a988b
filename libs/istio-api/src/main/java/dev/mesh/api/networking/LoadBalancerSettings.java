package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.time.Duration;

/**
 * The load balancing policy: a simple algorithm or consistent hashing (one of them), plus locality
 * settings and slow start.
 *
 * @param simple             null when absent (exclusive with consistentHash)
 * @param consistentHash     null when absent
 * @param localityLbSetting  null when absent
 * @param warmupDurationSecs null when absent
 */
public record LoadBalancerSettings(SimpleLB simple, ConsistentHashLB consistentHash,
        LocalityLoadBalancerSetting localityLbSetting, Duration warmupDurationSecs) {

    /** UNSPECIFIED lets the proxy choose (LEAST_REQUEST in Istio). */
    public enum SimpleLB { UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST }

    /**
     * Hashes on one of: a header, a cookie, the source IP, or a query parameter.
     *
     * @param httpCookie      null when absent
     * @param ringHash        null when absent (exclusive with maglev)
     * @param minimumRingSize deprecated in favour of ringHash; 0 when absent
     */
    public record ConsistentHashLB(String httpHeaderName, HTTPCookie httpCookie, boolean useSourceIp,
            String httpQueryParameterName, RingHash ringHash, MagLev maglev, long minimumRingSize) {

        private static final long MAGLEV_MAX_TABLE_SIZE = 5_000_011L;

        /** @param ttl null when absent */
        public record HTTPCookie(String name, String path, Duration ttl) {

            public HTTPCookie {
                name = Fields.str(name);
                path = Fields.str(path);
            }

            public static HTTPCookie parse(Node node) {
                HTTPCookie cookie = new HTTPCookie(Fields.string(node, "name"), Fields.string(node, "path"),
                        node.duration("ttl"));
                if (cookie.name.isEmpty()) {
                    node.error("name", "name required for httpCookie");
                }
                return cookie;
            }
        }

        public record RingHash(long minimumRingSize) {

            public static RingHash parse(Node node) {
                return new RingHash(Fields.uint64(node, "minimumRingSize"));
            }
        }

        public record MagLev(long tableSize) {

            public static MagLev parse(Node node) {
                MagLev maglev = new MagLev(Fields.uint64(node, "tableSize"));
                if (maglev.tableSize == 0) {
                    node.error("tableSize", "tableSize must be set for maglev");
                } else if (maglev.tableSize >= MAGLEV_MAX_TABLE_SIZE) {
                    node.error("tableSize", "tableSize " + maglev.tableSize + " must be less than "
                            + MAGLEV_MAX_TABLE_SIZE + " for maglev");
                } else if (!isPrime(maglev.tableSize)) {
                    node.error("tableSize", "tableSize " + maglev.tableSize + " must be a prime number for maglev");
                }
                return maglev;
            }
        }

        public ConsistentHashLB {
            httpHeaderName = Fields.str(httpHeaderName);
            httpQueryParameterName = Fields.str(httpQueryParameterName);
        }

        public static ConsistentHashLB parse(Node node) {
            ConsistentHashLB hash = new ConsistentHashLB(Fields.string(node, "httpHeaderName"),
                    node.object("httpCookie", HTTPCookie::parse), Fields.bool(node, "useSourceIp"),
                    Fields.string(node, "httpQueryParameterName"), node.object("ringHash", RingHash::parse),
                    node.object("maglev", MagLev::parse), Fields.uint64(node, "minimumRingSize"));
            int keys = (node.has("httpHeaderName") ? 1 : 0) + (node.has("httpCookie") ? 1 : 0)
                    + (node.has("useSourceIp") ? 1 : 0) + (node.has("httpQueryParameterName") ? 1 : 0);
            if (keys > 1) {
                node.error(null, "only one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName"
                        + " may be set");
            }
            if (node.has("ringHash") && node.has("maglev")) {
                node.error("maglev", "only one of ringHash or maglev may be set");
            }
            if (hash.minimumRingSize != 0) {
                node.warning("minimumRingSize", "deprecated: use ringHash.minimumRingSize instead");
                if (node.has("ringHash") || node.has("maglev")) {
                    node.error("minimumRingSize", "only one of minimumRingSize or maglev/ringHash can be specified");
                }
            }
            return hash;
        }

        /** Envoy's primality test, so that the mesh agrees with it on every table size. */
        private static boolean isPrime(long x) {
            if (x != 0 && x < 4) {
                return true;
            }
            if ((x & 1) == 0) {
                return false;
            }
            long limit = (long) Math.sqrt((double) x);
            for (long factor = 3; factor <= limit; factor += 2) {
                if (x % factor == 0) {
                    return false;
                }
            }
            return true;
        }
    }

    public static LoadBalancerSettings parse(Node node) {
        return parse(node, true);
    }

    static LoadBalancerSettings parse(Node node, boolean hasOutlierDetection) {
        LoadBalancerSettings lb = new LoadBalancerSettings(node.enumValue("simple", SimpleLB.class),
                node.object("consistentHash", ConsistentHashLB::parse),
                node.object("localityLbSetting", n -> LocalityLoadBalancerSetting.parse(n, hasOutlierDetection)),
                node.duration("warmupDurationSecs"));
        if (node.has("simple") && node.has("consistentHash")) {
            node.error("consistentHash", "only one of simple or consistentHash may be set");
        }
        Validation.checkDuration(node, "warmupDurationSecs", lb.warmupDurationSecs);
        return lb;
    }
}
