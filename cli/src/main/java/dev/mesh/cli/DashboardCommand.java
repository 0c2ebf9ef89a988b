package dev.mesh.cli;

import dev.mesh.cli.kube.KubeErrors;
import dev.mesh.cli.kube.KubeOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshctl dashboard}: the addresses of the mesh's web pages. */
@Command(name = "dashboard", aliases = "d", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Print (or open) the address of a mesh web page.",
        subcommands = DashboardCommand.Graph.class,
        footer = {"", "Examples:", "  meshctl dashboard graph -n demo", "  meshctl dashboard graph -n demo --browser"})
public class DashboardCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code meshctl dashboard graph}: the telemetry service's topology graph page for a namespace (Kiali's graph
     * in the walkthrough), at the telemetry pod's address, which the local cluster's host reaches directly.
     */
    @Command(name = "graph", aliases = "kiali", mixinStandardHelpOptions = true,
            description = "Print the address of the telemetry graph page for a namespace; with --browser also open"
                    + " it (xdg-open). The address is the telemetry pod's (reachable inside the cluster network"
                    + " and on the local cluster); from elsewhere use kubectl port-forward, as printed.",
            footer = {"", "Examples:",
                    "  meshctl dashboard graph -n demo",
                    "  meshctl dashboard graph -n demo --browser",
                    "  kubectl -n istio-system port-forward svc/telemetry 20001 &",
                    "  meshctl dashboard graph -n demo --address localhost:20001 --browser"})
    static class Graph implements Callable<Integer> {

        static final String SERVICE = "telemetry";
        static final String PORT_NAME = "http-web";
        static final int DEFAULT_PORT = 20001;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-n", "--namespace"}, defaultValue = "default",
                description = "The namespace whose graph to show (default: ${DEFAULT-VALUE}).")
        String namespace;

        @Option(names = {"-i", "--istioNamespace"}, paramLabel = "NAMESPACE", defaultValue = "istio-system",
                description = "The mesh's namespace, where telemetry runs (default: ${DEFAULT-VALUE}).")
        String istioNamespace;

        @Option(names = "--address", paramLabel = "HOST:PORT",
                description = "Where the telemetry page is reachable (e.g. localhost:20001 after kubectl"
                        + " port-forward); the cluster is not asked.")
        String address;

        @Option(names = "--browser", description = "Also open the page with xdg-open.")
        boolean browser;

        @Mixin
        KubeOptions kube;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String page = "/graph?namespace=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8);
            String url;
            if (address != null) {
                url = "http://" + address + page;
            } else {
                try (KubernetesClient client = kube.client()) {
                    Service service = client.services().inNamespace(istioNamespace).withName(SERVICE).get();
                    if (service == null) {
                        return fail("no Service " + SERVICE + " in namespace " + istioNamespace + ": telemetry is not"
                                + " installed there (meshctl install --set telemetry.enabled=true; or -i for the"
                                + " mesh's namespace)");
                    }
                    int port = service.getSpec().getPorts().stream().filter(p -> PORT_NAME.equals(p.getName()))
                            .map(ServicePort::getPort).findFirst().orElse(DEFAULT_PORT);
                    Optional<Pod> pod = client.pods().inNamespace(istioNamespace).withLabel("app", SERVICE).list()
                            .getItems().stream().filter(Graph::ready)
                            .filter(p -> p.getStatus().getPodIP() != null)
                            .min(Comparator.comparing(p -> p.getMetadata().getName()));
                    String inCluster = "http://" + SERVICE + "." + istioNamespace + ".svc:" + port + page;
                    if (pod.isEmpty()) {
                        return fail("no ready " + SERVICE + " pod in namespace " + istioNamespace
                                + " (the Service's in-cluster address would be " + inCluster + ")");
                    }
                    String ip = pod.get().getStatus().getPodIP();
                    url = "http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port + page;
                    err.println("telemetry pod " + pod.get().getMetadata().getName() + "; in the cluster also "
                            + inCluster + "; from outside the cluster network: kubectl -n " + istioNamespace
                            + " port-forward svc/" + SERVICE + " " + port + " and meshctl dashboard graph -n "
                            + namespace + " --address localhost:" + port);
                } catch (KubernetesClientException e) {
                    return fail("cannot read the cluster: " + KubeErrors.describe(e));
                } catch (IllegalArgumentException e) {
                    return fail(e.getMessage());
                }
            }
            out.println(url);
            out.flush();
            if (browser) {
                try {
                    Process open = new ProcessBuilder("xdg-open", url).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (open.waitFor() != 0) {
                        err.println("Warning: xdg-open " + url + " exited with " + open.exitValue()
                                + "; open the address above yourself");
                    }
                } catch (IOException e) {
                    err.println("Warning: cannot run xdg-open (" + e.getMessage() + "); open the address above"
                            + " yourself");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            err.flush();
            return ExitCodes.OK;
        }

        private static boolean ready(Pod pod) {
            return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus()
                    .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        }

        private int fail(String message) {
            spec.commandLine().getErr().println("Error: " + message);
            spec.commandLine().getErr().flush();
            return ExitCodes.UNKNOWN_ERROR;
        }
    }
}
