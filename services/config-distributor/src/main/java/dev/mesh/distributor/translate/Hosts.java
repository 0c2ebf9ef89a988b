package dev.mesh.distributor.translate;

import java.util.Optional;

/** Host names with Istio's wildcard rules: {@code *} matches everything, {@code *.x.com} any name ending in {@code .x.com}. */
final class Hosts {

    private Hosts() {
    }

    /** Whether {@code pattern} (possibly a wildcard) matches the concrete or wildcard host {@code host}. */
    static boolean matches(String pattern, String host) {
        if (pattern.equals("*") || pattern.equals(host)) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            return host.endsWith(suffix) && (!host.startsWith("*") || host.length() >= pattern.length());
        }
        return false;
    }

    /** The most specific host both a VirtualService host and a Gateway server host accept, if any. */
    static Optional<String> intersection(String vsHost, String serverHost) {
        if (matches(serverHost, vsHost)) {
            return Optional.of(vsHost);
        }
        if (matches(vsHost, serverHost)) {
            return Optional.of(serverHost);
        }
        return Optional.empty();
    }

    /**
     * A server host {@code ns/host} as seen by a VirtualService of namespace {@code vsNamespace}:
     * its host part when {@code ns} is {@code *}, the VirtualService's namespace, or {@code .} for
     * the Gateway's own; otherwise a host that matches nothing.
     */
    static String withoutNamespace(String serverHost, String vsNamespace, String gatewayNamespace) {
        int slash = serverHost.indexOf('/');
        if (slash < 0) {
            return serverHost;
        }
        String ns = serverHost.substring(0, slash);
        String host = serverHost.substring(slash + 1);
        boolean visible = ns.equals("*") || ns.equals(vsNamespace) || (ns.equals(".") && vsNamespace.equals(gatewayNamespace));
        return visible ? host : "\u0000";
    }
}
