package dev.mesh.proxy.model;

import java.util.List;
import java.util.Locale;

/** An RDS RouteConfiguration: virtual hosts selected by authority, Envoy's way. */
public record RouteTable(String name, List<VirtualHost> virtualHosts, HeaderOps headerOps) {

    /**
     * Picks the virtual host for an authority: an exact domain first, then the longest {@code *.suffix}
     * wildcard, then the longest {@code prefix*} wildcard, then {@code *}. If nothing matches and the
     * authority carries a port, the host without the port is tried the same way.
     */
    public VirtualHost select(String authority) {
        String host = authority == null ? "" : authority.toLowerCase(Locale.ROOT);
        VirtualHost vh = selectExactly(host);
        if (vh == null) {
            int colon = host.lastIndexOf(':');
            if (colon > 0 && host.indexOf(']') < colon) {
                vh = selectExactly(host.substring(0, colon));
            }
        }
        return vh;
    }

    private VirtualHost selectExactly(String host) {
        VirtualHost suffixBest = null;
        int suffixLen = -1;
        VirtualHost prefixBest = null;
        int prefixLen = -1;
        VirtualHost any = null;
        for (VirtualHost vh : virtualHosts) {
            for (String raw : vh.domains()) {
                String d = raw.toLowerCase(Locale.ROOT);
                if (d.equals("*")) {
                    if (any == null) {
                        any = vh;
                    }
                } else if (d.startsWith("*")) {
                    String suffix = d.substring(1);
                    if (host.endsWith(suffix) && host.length() > suffix.length() && suffix.length() > suffixLen) {
                        suffixBest = vh;
                        suffixLen = suffix.length();
                    }
                } else if (d.endsWith("*")) {
                    String prefix = d.substring(0, d.length() - 1);
                    if (host.startsWith(prefix) && host.length() > prefix.length() && prefix.length() > prefixLen) {
                        prefixBest = vh;
                        prefixLen = prefix.length();
                    }
                } else if (d.equals(host)) {
                    return vh;
                }
            }
        }
        return suffixBest != null ? suffixBest : prefixBest != null ? prefixBest : any;
    }
}
