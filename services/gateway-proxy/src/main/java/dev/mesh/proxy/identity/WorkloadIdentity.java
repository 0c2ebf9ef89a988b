package dev.mesh.proxy.identity;

import java.util.regex.Pattern;

/**
 * A workload's SPIFFE identity as Istio names it: {@code spiffe://<trust domain>/ns/<namespace>/sa/<service account>}.
 */
public record WorkloadIdentity(String trustDomain, String namespace, String serviceAccount) {

    private static final Pattern DNS_LABELISH = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final Pattern SPIFFE = Pattern.compile("spiffe://([^/]+)/ns/([^/]+)/sa/([^/]+)");

    public WorkloadIdentity {
        check("trust domain", trustDomain);
        check("namespace", namespace);
        check("service account", serviceAccount);
    }

    private static void check(String what, String value) {
        if (value == null || !DNS_LABELISH.matcher(value).matches()) {
            throw new IllegalArgumentException("workload identity: " + what + " \"" + value
                    + "\" is not valid: it must be a non-empty name of letters, digits, '.', '_' and '-'");
        }
    }

    /** {@code spiffe://cluster.local/ns/demo/sa/podinfo}. */
    public String spiffeId() {
        return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }

    /** Istio's principal, the SPIFFE id without the scheme: {@code cluster.local/ns/demo/sa/podinfo}. */
    public String principal() {
        return trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }

    /** Reads a SPIFFE id of the Istio form; a clear error names the input otherwise. */
    public static WorkloadIdentity parse(String spiffeId) {
        var m = spiffeId == null ? null : SPIFFE.matcher(spiffeId);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("\"" + spiffeId
                    + "\" is not a workload SPIFFE id of the form spiffe://<trust domain>/ns/<namespace>/sa/<account>");
        }
        return new WorkloadIdentity(m.group(1), m.group(2), m.group(3));
    }

    @Override
    public String toString() {
        return spiffeId();
    }
}
