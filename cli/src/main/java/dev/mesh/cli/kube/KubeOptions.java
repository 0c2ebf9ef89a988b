package dev.mesh.cli.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The cluster connection flags of every command that talks to a cluster, named as istioctl names them. Without
 * flags the connection is found the standard way: {@code KUBECONFIG}, else {@code ~/.kube/config}, else the
 * in-cluster service account.
 */
public final class KubeOptions {

    @Option(names = {"-c", "--kubeconfig"}, paramLabel = "FILE",
            description = "Kubernetes configuration file (default: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
            description = "The name of the kubeconfig context to use (default: the file's current context).")
    String context;

    /** A client for the chosen cluster; a missing kubeconfig file is refused with its name. */
    public KubernetesClient client() {
        return client(config -> config);
    }

    /** A client for the chosen cluster with its configuration adjusted, e.g. to give up sooner. */
    public KubernetesClient client(java.util.function.UnaryOperator<Config> adjust) {
        if (kubeconfig != null) {
            if (!Files.isRegularFile(kubeconfig)) {
                throw new IllegalArgumentException("--kubeconfig " + kubeconfig + ": no such file");
            }
            // fabric8 reads the file named by this property the way kubectl reads KUBECONFIG.
            System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toAbsolutePath().toString());
        }
        Config config = Config.autoConfigure(context);
        if (context != null && (config.getCurrentContext() == null
                || !context.equals(config.getCurrentContext().getName()))) {
            throw new IllegalArgumentException("--context " + context + ": no such context in the kubeconfig"
                    + (config.getContexts() == null ? "" : " (it has: " + config.getContexts().stream()
                            .map(c -> c.getName()).toList() + ")"));
        }
        return new KubernetesClientBuilder().withConfig(adjust.apply(config)).build();
    }
}
