package dev.mesh.cli.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** One line saying why a call to the cluster failed: the API server's message, else the innermost cause. */
public final class KubeErrors {

    private KubeErrors() {
    }

    public static String describe(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root == e ? "" : ": " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " " + root.getMessage());
        return e.getMessage().strip() + detail;
    }
}
