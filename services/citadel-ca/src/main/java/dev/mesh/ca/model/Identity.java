package dev.mesh.ca.model;

import java.util.Optional;
import java.util.regex.Pattern;

/** A workload identity: a Kubernetes service account, named in SPIFFE form within a trust domain. */
public record Identity(String trustDomain, String namespace, String serviceAccount) {

    /** DNS-1123 label (namespaces) and subdomain (service accounts), as Kubernetes validates them. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final String SA_USER_PREFIX = "system:serviceaccount:";

    public Identity {
        if (!LABEL.matcher(namespace).matches() || !SUBDOMAIN.matcher(serviceAccount).matches()) {
            throw new IllegalArgumentException("not a valid namespace/service account: " + namespace + "/" + serviceAccount);
        }
    }

    /** {@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}. */
    public String spiffeId() {
        return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }

    /** The identity of a Kubernetes user name {@code system:serviceaccount:<ns>:<sa>}, if it is one. */
    public static Optional<Identity> fromServiceAccountUser(String trustDomain, String username) {
        if (username == null || !username.startsWith(SA_USER_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = username.substring(SA_USER_PREFIX.length()).split(":", -1);
        if (parts.length != 2) {
            return Optional.empty();
        }
        return valid(trustDomain, parts[0], parts[1]);
    }

    /** The identity named by a SPIFFE ID in the Kubernetes form {@code spiffe://<td>/ns/<ns>/sa/<sa>}, if it is one. */
    public static Optional<Identity> fromSpiffeId(String uri) {
        if (uri == null || !uri.startsWith("spiffe://")) {
            return Optional.empty();
        }
        String[] parts = uri.substring("spiffe://".length()).split("/", -1);
        if (parts.length != 5 || parts[0].isEmpty() || !"ns".equals(parts[1]) || !"sa".equals(parts[3])) {
            return Optional.empty();
        }
        return valid(parts[0], parts[2], parts[4]);
    }

    private static Optional<Identity> valid(String trustDomain, String namespace, String serviceAccount) {
        if (!LABEL.matcher(namespace).matches() || !SUBDOMAIN.matcher(serviceAccount).matches()) {
            return Optional.empty();
        }
        return Optional.of(new Identity(trustDomain, namespace, serviceAccount));
    }

    @Override
    public String toString() {
        return spiffeId();
    }
}
