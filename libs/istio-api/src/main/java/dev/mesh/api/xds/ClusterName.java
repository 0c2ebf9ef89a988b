package dev.mesh.api.xds;

/**
 * Istio's cluster names: {@code outbound|<port>|<subset>|<host>} and {@code inbound|<port>||}. The
 * control plane writes them; {@code meshctl proxy-config} reads them back.
 *
 * @param direction {@code outbound} or {@code inbound}
 * @param subset    empty for the unsubsetted cluster
 * @param host      the service's FQDN; empty for inbound clusters
 */
public record ClusterName(String direction, int port, String subset, String host) {

    public static final String OUTBOUND = "outbound";
    public static final String INBOUND = "inbound";

    public static ClusterName outbound(int port, String subset, String host) {
        return new ClusterName(OUTBOUND, port, subset, host);
    }

    public static ClusterName inbound(int port) {
        return new ClusterName(INBOUND, port, "", "");
    }

    /** Reads a cluster name; names of other forms ({@code PassthroughCluster}, ...) give null. */
    public static ClusterName parse(String name) {
        String[] parts = name.split("\\|", -1);
        if (parts.length != 4 || !(parts[0].equals(OUTBOUND) || parts[0].equals(INBOUND))) {
            return null;
        }
        try {
            return new ClusterName(parts[0], Integer.parseInt(parts[1]), parts[2], parts[3]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return direction + "|" + port + "|" + subset + "|" + host;
    }
}
