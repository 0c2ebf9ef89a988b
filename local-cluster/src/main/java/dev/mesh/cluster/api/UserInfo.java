package dev.mesh.cluster.api;

import java.util.List;
import java.util.Objects;

/**
 * Who a request comes from, as the API server's authenticators report it: the user name and its groups.
 *
 * @param name {@code mesh-local-admin} for the kubeconfig's admin token, {@code system:serviceaccount:<ns>:<sa>}
 *        for a service-account token
 * @param groups the user's groups ({@code system:masters} for the admin)
 */
public record UserInfo(String name, List<String> groups) {

    /** The user of the admin token the local cluster's kubeconfig carries. */
    public static final String ADMIN = "mesh-local-admin";
    /** The group Kubernetes allows everything, whatever RBAC says. */
    public static final String MASTERS = "system:masters";
    static final String AUTHENTICATED = "system:authenticated";
    static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    public UserInfo {
        Objects.requireNonNull(name, "name");
        groups = List.copyOf(groups);
    }

    /** The admin of the kubeconfig {@link LocalApiServer#kubeconfig()}. */
    static UserInfo admin() {
        return new UserInfo(ADMIN, List.of(MASTERS, AUTHENTICATED));
    }
}
