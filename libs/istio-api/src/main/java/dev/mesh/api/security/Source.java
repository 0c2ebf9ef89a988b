package dev.mesh.api.security;

import dev.mesh.api.Node;
import dev.mesh.api.security.AuthorizationPolicy.Action;
import java.util.List;
import java.util.stream.Stream;

/**
 * Istio's {@code security.istio.io} Source: who sent a request. Within one source every set field must
 * match; within one field any value may match; the {@code not*} fields exclude.
 *
 * @param principals           peer identities from the mTLS certificate, {@code <trust-domain>/ns/<ns>/sa/<sa>}
 * @param requestPrincipals    request identities from a validated JWT, {@code <iss>/<sub>}
 * @param namespaces           the peer's namespace (taken from its mTLS identity)
 * @param ipBlocks             the peer's IP address or CIDR range
 * @param remoteIpBlocks       the original client IP (from X-Forwarded-For or the PROXY protocol)
 * @param serviceAccounts      the peer's service account, {@code sa} or {@code ns/sa}
 */
public record Source(List<String> principals, List<String> notPrincipals, List<String> requestPrincipals,
        List<String> notRequestPrincipals, List<String> namespaces, List<String> notNamespaces,
        List<String> ipBlocks, List<String> notIpBlocks, List<String> remoteIpBlocks,
        List<String> notRemoteIpBlocks, List<String> serviceAccounts, List<String> notServiceAccounts) {

    public Source {
        principals = copy(principals);
        notPrincipals = copy(notPrincipals);
        requestPrincipals = copy(requestPrincipals);
        notRequestPrincipals = copy(notRequestPrincipals);
        namespaces = copy(namespaces);
        notNamespaces = copy(notNamespaces);
        ipBlocks = copy(ipBlocks);
        notIpBlocks = copy(notIpBlocks);
        remoteIpBlocks = copy(remoteIpBlocks);
        notRemoteIpBlocks = copy(notRemoteIpBlocks);
        serviceAccounts = copy(serviceAccounts);
        notServiceAccounts = copy(notServiceAccounts);
    }

    private static List<String> copy(List<String> values) {
        return values == null ? List.of() : List.copyOf(values);
    }

    static Source parse(Node node, Action action) {
        Source source = new Source(node.strings("principals"), node.strings("notPrincipals"),
                node.strings("requestPrincipals"), node.strings("notRequestPrincipals"),
                node.strings("namespaces"), node.strings("notNamespaces"), node.strings("ipBlocks"),
                node.strings("notIpBlocks"), node.strings("remoteIpBlocks"), node.strings("notRemoteIpBlocks"),
                node.strings("serviceAccounts"), node.strings("notServiceAccounts"));
        source.validate(node, action);
        return source;
    }

    private void validate(Node node, Action action) {
        if (isEmpty()) {
            node.error(null, "must set at least one field (principals, requestPrincipals, namespaces, ipBlocks,"
                    + " remoteIpBlocks, serviceAccounts or their not* forms)");
        }
        if (!(serviceAccounts.isEmpty() && notServiceAccounts.isEmpty())
                && !(principals.isEmpty() && notPrincipals.isEmpty() && namespaces.isEmpty()
                        && notNamespaces.isEmpty())) {
            node.error(serviceAccounts.isEmpty() ? "notServiceAccounts" : "serviceAccounts",
                    "cannot be set together with principals or namespaces");
        }
        for (String field : List.of("principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals",
                "namespaces", "notNamespaces")) {
            List<String> values = field(field);
            SecurityChecks.checkNonEmptyValues(node, field, values);
            SecurityChecks.warnInnerWildcards(node, field, values);
        }
        for (String field : List.of("ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks")) {
            SecurityChecks.checkNonEmptyValues(node, field, field(field));
            SecurityChecks.checkIpBlocks(node, field, field(field));
        }
        SecurityChecks.checkServiceAccounts(node, "serviceAccounts", serviceAccounts);
        SecurityChecks.checkServiceAccounts(node, "notServiceAccounts", notServiceAccounts);
        if (action == Action.CUSTOM) {
            // The external authorizer is called before the mesh's identity attributes are known to it.
            for (String field : List.of("principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals",
                    "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts")) {
                if (!field(field).isEmpty()) {
                    node.error(field, "is not supported with the CUSTOM action");
                }
            }
        }
    }

    private List<String> field(String name) {
        return switch (name) {
            case "principals" -> principals;
            case "notPrincipals" -> notPrincipals;
            case "requestPrincipals" -> requestPrincipals;
            case "notRequestPrincipals" -> notRequestPrincipals;
            case "namespaces" -> namespaces;
            case "notNamespaces" -> notNamespaces;
            case "ipBlocks" -> ipBlocks;
            case "notIpBlocks" -> notIpBlocks;
            case "remoteIpBlocks" -> remoteIpBlocks;
            case "notRemoteIpBlocks" -> notRemoteIpBlocks;
            case "serviceAccounts" -> serviceAccounts;
            case "notServiceAccounts" -> notServiceAccounts;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** True when no field is set. */
    public boolean isEmpty() {
        return all().allMatch(List::isEmpty);
    }

    /** True when it constrains something a TCP connection carries (all but request principals). */
    boolean hasTcpAttributes() {
        return Stream.of(principals, notPrincipals, namespaces, notNamespaces, ipBlocks, notIpBlocks,
                remoteIpBlocks, notRemoteIpBlocks, serviceAccounts, notServiceAccounts).anyMatch(l -> !l.isEmpty());
    }

    private Stream<List<String>> all() {
        return Stream.of(principals, notPrincipals, requestPrincipals, notRequestPrincipals, namespaces,
                notNamespaces, ipBlocks, notIpBlocks, remoteIpBlocks, notRemoteIpBlocks, serviceAccounts,
                notServiceAccounts);
    }
}
