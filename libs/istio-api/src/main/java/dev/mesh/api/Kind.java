package dev.mesh.api;

import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.ServiceEntry;
import dev.mesh.api.networking.Sidecar;
import dev.mesh.api.networking.VirtualService;
import dev.mesh.api.security.AuthorizationPolicy;
import dev.mesh.api.security.PeerAuthentication;
import dev.mesh.api.security.RequestAuthentication;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One kind of the Istio API the mesh understands: its group, the versions it is read from, and
 * the pure function that parses (and validates) its {@code spec}.
 *
 * @param <S> the spec's type
 */
public record Kind<S>(String group, String kind, String plural, String shortName, List<String> versions,
        Function<Node, S> parser) {

    public static final String NETWORKING = "networking.istio.io";
    public static final String SECURITY = "security.istio.io";

    private static final List<String> NETWORKING_VERSIONS = List.of("v1", "v1beta1", "v1alpha3");
    private static final List<String> SECURITY_VERSIONS = List.of("v1", "v1beta1");

    public static final Kind<Gateway> GATEWAY =
            new Kind<>(NETWORKING, "Gateway", "gateways", "gw", NETWORKING_VERSIONS, Gateway::parse);
    public static final Kind<VirtualService> VIRTUAL_SERVICE =
            new Kind<>(NETWORKING, "VirtualService", "virtualservices", "vs", NETWORKING_VERSIONS,
                    VirtualService::parse);
    public static final Kind<DestinationRule> DESTINATION_RULE =
            new Kind<>(NETWORKING, "DestinationRule", "destinationrules", "dr", NETWORKING_VERSIONS,
                    DestinationRule::parse);
    public static final Kind<ServiceEntry> SERVICE_ENTRY =
            new Kind<>(NETWORKING, "ServiceEntry", "serviceentries", "se", NETWORKING_VERSIONS,
                    ServiceEntry::parse);
    public static final Kind<Sidecar> SIDECAR =
            new Kind<>(NETWORKING, "Sidecar", "sidecars", null, NETWORKING_VERSIONS, Sidecar::parse);
    public static final Kind<PeerAuthentication> PEER_AUTHENTICATION =
            new Kind<>(SECURITY, "PeerAuthentication", "peerauthentications", "pa", SECURITY_VERSIONS,
                    PeerAuthentication::parse);
    public static final Kind<AuthorizationPolicy> AUTHORIZATION_POLICY =
            new Kind<>(SECURITY, "AuthorizationPolicy", "authorizationpolicies", "ap", SECURITY_VERSIONS,
                    AuthorizationPolicy::parse);
    public static final Kind<RequestAuthentication> REQUEST_AUTHENTICATION =
            new Kind<>(SECURITY, "RequestAuthentication", "requestauthentications", "ra", SECURITY_VERSIONS,
                    RequestAuthentication::parse);

    public static final List<Kind<?>> ALL = List.of(GATEWAY, VIRTUAL_SERVICE, DESTINATION_RULE, SERVICE_ENTRY,
            SIDECAR, PEER_AUTHENTICATION, AUTHORIZATION_POLICY, REQUEST_AUTHENTICATION);

    /** The version the mesh writes and stores: the first one. */
    public String storageVersion() {
        return versions.get(0);
    }

    public String apiVersion() {
        return group + "/" + storageVersion();
    }

    /** The Istio kind for {@code apiVersion}/{@code kind}, if the group is an Istio group the mesh reads. */
    public static Optional<Kind<?>> find(String group, String kind) {
        return ALL.stream().filter(k -> k.group.equals(group) && k.kind.equals(kind)).findFirst();
    }

    @Override
    public String toString() {
        return kind;
    }
}
