package dev.mesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.cli.kube.KubeErrors;
import dev.mesh.cli.kube.KubeOptions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshctl version}: the client's version and, with {@code --remote} (the default, as in istioctl), each
 * control-plane Deployment of the mesh namespace (its image tag and ready replicas) and the data plane's proxy
 * versions (the image tags of the {@code istio-proxy} containers of injected pods). Like istioctl, an unreachable
 * cluster is said on a line of its own and the client version is still printed, with exit code 0.
 */
@Command(name = "version", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Print the version of meshctl and, with --remote, of the mesh's control plane and proxies.",
        footer = {"", "Examples:",
                "  meshctl version",
                "  meshctl version --remote=false",
                "  meshctl version -o json --context kind-mesh"})
public class VersionCommand implements Callable<Integer> {

    static final String PROXY_CONTAINER = "istio-proxy";

    enum Format { SHORT, JSON, YAML }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--remote", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Also read the control plane's and the proxies' versions from the cluster (default:"
                    + " ${DEFAULT-VALUE}). --remote=false prints the client version only.")
    boolean remote;

    @Option(names = {"-o", "--output"}, defaultValue = "short", converter = FormatConverter.class,
            description = "Output format: short, json or yaml (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = {"-i", "--istioNamespace"}, paramLabel = "NAMESPACE", defaultValue = "istio-system",
            description = "The mesh's control-plane namespace (default: ${DEFAULT-VALUE}).")
    String istioNamespace;

    @Mixin
    KubeOptions kube;

    /** One control-plane Deployment. */
    record Component(String name, String version, int replicas, int readyReplicas) {
    }

    /** Proxies running one version. */
    record ProxyVersion(String version, int proxies) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String version = BuildInfo.version();
        List<Component> components = null;
        List<ProxyVersion> proxies = null;
        if (remote) {
            try (KubernetesClient client = kube.client(c -> {
                c.setRequestRetryBackoffLimit(0);
                c.setConnectionTimeout(5_000);
                return c;
            })) {
                components = controlPlane(client);
                proxies = dataPlane(client);
            } catch (KubernetesClientException e) {
                // istioctl prints why the remote version is missing before the client version, on stdout.
                out.println("control plane version not available: cannot read the cluster: " + KubeErrors.describe(e));
            } catch (IllegalArgumentException e) {
                out.println("control plane version not available: " + e.getMessage());
            }
        }
        switch (output) {
            case SHORT -> {
                out.println("client version: " + version);
                if (components != null) {
                    out.println("control plane version: " + (components.isEmpty()
                            ? "none (no Deployments in namespace " + istioNamespace + "; is the mesh installed?"
                                    + " meshctl install, or -i for another namespace)"
                            : String.join(", ", components.stream().map(c -> c.name() + " " + c.version() + " ("
                                    + c.readyReplicas() + "/" + c.replicas() + " ready)").toList())));
                    out.println("data plane version: " + (proxies.isEmpty() ? "none (no pod has an "
                            + PROXY_CONTAINER + " container)"
                            : String.join(", ", proxies.stream().map(p -> p.version() + " (" + p.proxies()
                                    + (p.proxies() == 1 ? " proxy)" : " proxies)")).toList())));
                }
            }
            case JSON, YAML -> {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("clientVersion", Map.of("version", version));
                if (components != null) {
                    List<Map<String, Object>> mesh = new ArrayList<>();
                    for (Component c : components) {
                        Map<String, Object> info = new LinkedHashMap<>();
                        info.put("version", c.version());
                        info.put("replicas", c.replicas());
                        info.put("readyReplicas", c.readyReplicas());
                        Map<String, Object> component = new LinkedHashMap<>();
                        component.put("Component", c.name());
                        component.put("Info", info);
                        mesh.add(component);
                    }
                    doc.put("meshVersion", mesh);
                    List<Map<String, Object>> data = new ArrayList<>();
                    for (ProxyVersion p : proxies) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("version", p.version());
                        entry.put("proxies", p.proxies());
                        data.add(entry);
                    }
                    doc.put("dataPlaneVersion", data);
                }
                ObjectMapper mapper = output == Format.JSON
                        ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        : new YAMLMapper();
                out.println(mapper.writeValueAsString(doc).stripTrailing());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private List<Component> controlPlane(KubernetesClient client) {
        List<Component> out = new ArrayList<>();
        for (Deployment d : client.apps().deployments().inNamespace(istioNamespace).list().getItems()) {
            List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
            String image = containers.isEmpty() ? "" : containers.get(0).getImage();
            int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                    : d.getStatus().getReadyReplicas();
            out.add(new Component(d.getMetadata().getName(), imageTag(image), replicas, ready));
        }
        out.sort(Comparator.comparing(Component::name));
        return out;
    }

    private static List<ProxyVersion> dataPlane(KubernetesClient client) {
        Map<String, Integer> byVersion = new TreeMap<>();
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            if (pod.getSpec() == null) {
                continue;
            }
            List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
            if (pod.getSpec().getInitContainers() != null) {
                all.addAll(pod.getSpec().getInitContainers()); // a native sidecar runs as an init container
            }
            all.stream().filter(c -> PROXY_CONTAINER.equals(c.getName())).findFirst()
                    .ifPresent(c -> byVersion.merge(imageTag(c.getImage()), 1, Integer::sum));
        }
        return byVersion.entrySet().stream().map(e -> new ProxyVersion(e.getKey(), e.getValue())).toList();
    }

    /** {@code registry:5000/mesh/x:0.1.0} gives {@code 0.1.0}; a digest its digest; no tag {@code latest}. */
    static String imageTag(String image) {
        if (image == null || image.isBlank()) {
            return "unknown";
        }
        int at = image.indexOf('@');
        if (at >= 0) {
            return image.substring(at + 1);
        }
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "\"" + value + "\" is not a valid output format: use short, json or yaml");
            }
        }
    }
}
