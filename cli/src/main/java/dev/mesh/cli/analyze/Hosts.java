package dev.mesh.cli.analyze;

import java.util.ArrayList;
import java.util.List;

/** Host names as Istio's analyzers compare them ({@code pkg/config/host}), and references to named resources. */
final class Hosts {

    private Hosts() {
    }

    /**
     * Whether two host names overlap: equal, or one's wildcard ({@code *.foo.com}, {@code *}) covers the other, or
     * both are wildcards and one's suffix covers the other's.
     */
    static boolean overlap(String a, String b) {
        boolean aWild = a.startsWith("*");
        boolean bWild = b.startsWith("*");
        if (aWild && bWild) {
            return a.length() < b.length() ? b.substring(1).endsWith(a.substring(1)) : a.substring(1).endsWith(b.substring(1));
        }
        if (aWild) {
            return b.endsWith(a.substring(1));
        }
        if (bWild) {
            return a.endsWith(b.substring(1));
        }
        return a.equals(b);
    }

    /**
     * The hosts of {@code namespace/host} entries (a Gateway server's) that a resource in {@code namespace} may use:
     * those without a namespace, with {@code *}, or with that namespace; stripped of the namespace.
     */
    static List<String> forNamespace(List<String> hosts, String namespace) {
        List<String> out = new ArrayList<>();
        for (String host : hosts) {
            int slash = host.indexOf('/');
            if (slash < 0) {
                out.add(host);
                continue;
            }
            String scope = host.substring(0, slash);
            if (scope.equals(namespace) || scope.equals("*")) {
                out.add(host.substring(slash + 1));
            }
        }
        return out;
    }

    /** {@code namespace/name} of a reference that is either {@code name} (in {@code namespace}) or already full. */
    static String fullName(String namespace, String ref) {
        return ref.contains("/") ? ref : namespace + "/" + ref;
    }

    /** How Istio prints a resource's full name: {@code namespace/name}, or {@code name} without a namespace. */
    static String display(String fullName) {
        return fullName.startsWith("/") ? fullName.substring(1) : fullName;
    }

    /** Go's {@code %v} of a string slice: {@code [a b]}. */
    static String goList(List<String> values) {
        return "[" + String.join(" ", values) + "]";
    }
}
