package dev.mesh.proxy.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * How an HTTP connection manager treats {@code x-forwarded-for} (XFF) and who it takes the client to be, as Envoy's
 * {@code use_remote_address}, {@code xff_num_trusted_hops} and {@code skip_xff_append} say.
 *
 * <p>With {@code use_remote_address} (an edge proxy: Istio's gateways) the connection's peer is appended to XFF
 * unless {@code skip_xff_append}, and the trusted client address is the peer, or with N trusted hops the N-th XFF
 * entry from the right as it arrived. Without it (Envoy's default and Istio's sidecars) XFF passes unchanged and
 * the trusted client address is the (N+1)-th entry from the right. Either way, when XFF has too few entries or the
 * chosen one is not an IP address, the peer is the client. Entries to the left of the chosen one are whatever the
 * client wrote and are never read.
 */
public record ForwardedFor(boolean useRemoteAddress, int xffNumTrustedHops, boolean skipXffAppend) {

    public static final String HEADER = "x-forwarded-for";
    /** Set on requests that enter the mesh at an edge listener: the trusted client address. */
    public static final String EXTERNAL_ADDRESS = "x-envoy-external-address";

    /** Envoy's defaults: nothing appended, the client is the rightmost XFF entry (else the peer). */
    public static final ForwardedFor ENVOY_DEFAULT = new ForwardedFor(false, 0, false);

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public ForwardedFor {
        if (xffNumTrustedHops < 0) {
            throw new IllegalArgumentException("xff_num_trusted_hops: " + xffNumTrustedHops + " is negative");
        }
    }

    /**
     * The original client address (what RBAC's {@code remote_ip} matches).
     *
     * @param peer the downstream connection's remote address
     * @param xff  the request's {@code x-forwarded-for} as received (all values joined by commas), or null
     */
    public String clientAddress(String peer, String xff) {
        String fromXff;
        if (useRemoteAddress) {
            fromXff = xffNumTrustedHops == 0 ? null : fromRight(xff, xffNumTrustedHops - 1);
        } else {
            fromXff = fromRight(xff, xffNumTrustedHops);
        }
        return fromXff != null ? fromXff : peer;
    }

    /** The {@code x-forwarded-for} to send upstream: the received one, with the peer appended at an edge. */
    public String upstreamHeader(String peer, String xff) {
        if (!useRemoteAddress || skipXffAppend || peer == null || peer.isEmpty()) {
            return xff;
        }
        return xff == null || xff.isBlank() ? peer : xff + "," + peer;
    }

    /** Whether requests enter the trusted network here: {@code x-envoy-external-address} is (re)set. */
    public boolean edge() {
        return useRemoteAddress;
    }

    /** The entry {@code skip} places from the right end, when it is an IP address; else null. */
    static String fromRight(String xff, int skip) {
        if (xff == null || xff.isBlank()) {
            return null;
        }
        String[] entries = xff.split(",", -1);
        int index = entries.length - 1 - skip;
        if (index < 0) {
            return null;
        }
        String candidate = entries[index].trim();
        return ipLiteral(candidate) ? candidate : null;
    }

    /** An IPv4 dotted quad or an IPv6 literal; never a name, which would be looked up in DNS. */
    static boolean ipLiteral(String s) {
        if (IPV4.matcher(s).matches()) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (s.indexOf(':') < 0 || s.startsWith("[")) {
            return false;
        }
        try {
            // With a colon the text is parsed as an IPv6 literal only, never resolved.
            InetAddress.getByName(s);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
