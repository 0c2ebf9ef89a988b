package dev.mesh.distributor.xds;

import java.util.List;

/** The xDS v3 resource types the distributor serves, in the order Envoy wants them pushed. */
public final class TypeUrl {

    public static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    public static final String ENDPOINT = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    public static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
    public static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    public static final String SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    /** Push order: clusters before the endpoints that feed them, listeners before their routes (make-before-break). */
    public static final List<String> PUSH_ORDER = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE, SECRET);

    private TypeUrl() {
    }

    /** LDS and CDS are wildcard types: an empty subscription means "everything of this type". */
    public static boolean isWildcard(String typeUrl) {
        return CLUSTER.equals(typeUrl) || LISTENER.equals(typeUrl);
    }

    /** The short name operators know: CDS, EDS, LDS, RDS, SDS. */
    public static String shortName(String typeUrl) {
        return switch (typeUrl) {
            case CLUSTER -> "CDS";
            case ENDPOINT -> "EDS";
            case LISTENER -> "LDS";
            case ROUTE -> "RDS";
            case SECRET -> "SDS";
            default -> typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
        };
    }
}
