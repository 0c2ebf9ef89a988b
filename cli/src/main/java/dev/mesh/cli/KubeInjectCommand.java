package dev.mesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mesh.injection.InjectionRefusedException;
import dev.mesh.injection.InjectionTemplate;
import dev.mesh.injection.Injector;
import dev.mesh.injection.ManifestInjector;
import dev.mesh.injection.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshctl kube-inject}: istioctl kube-inject, offline. Injects the sidecar into the Pods and pod templates
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, List items) of
 * multi-document YAML with the injector-webhook's own code ({@code libs/injection}), and passes every other
 * document through. Without a cluster there are no namespace labels: asking for kube-inject counts as asking for
 * injection, while opt-outs, hostNetwork pods, already injected pods and the mesh's namespace are still left alone.
 */
@Command(name = "kube-inject", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = {"Inject the mesh's sidecar into Kubernetes workloads, offline.",
                "Same injection as the injector-webhook. Example: meshctl kube-inject -f deployment.yaml | kubectl"
                        + " apply -f -"},
        footer = {"", "Exit codes: 0 written; 64 bad usage; 65 an input could not be read or parsed, or a pod's"
                + " traffic.sidecar.istio.io annotations are malformed.",
                "", "Examples:",
                "  meshctl kube-inject -f deployment.yaml | kubectl apply -f -",
                "  kubectl get deployment podinfo-v1 -o yaml | meshctl kube-inject -f - | kubectl apply -f -"})
public class KubeInjectCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE",
            description = "Input Kubernetes resources (multi-document YAML or JSON); - reads standard input.")
    String filename;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the injected resources to this file instead of standard output.")
    Path output;

    @Option(names = "--injectConfigFile", paramLabel = "FILE",
            description = "Injection values (YAML: proxyImage, imagePullPolicy, caAddress, xdsAddress, trustDomain,"
                    + " clusterId, nativeSidecar, proxyResources, initResources), or the injector's ConfigMap"
                    + " holding them under data.values.yaml. Default: the built-in values.")
    Path injectConfigFile;

    @Option(names = "--meshConfigFile", paramLabel = "FILE",
            description = "Istio mesh config (YAML; or the istio ConfigMap holding it under data.mesh): trustDomain,"
                    + " defaultConfig.discoveryAddress and ca.address override the injection values.")
    Path meshConfigFile;

    @Option(names = {"-i", "--istioNamespace"}, defaultValue = "istio-system", paramLabel = "NAMESPACE",
            description = "The mesh's own namespace, never injected (default: ${DEFAULT-VALUE}).")
    String meshNamespace;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String result;
        try {
            InjectionTemplate template = template();
            String text = filename.equals("-")
                    ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(filename));
            List<JsonNode> documents = Yaml.readAll(text);
            result = Yaml.writeAll(new ManifestInjector(new Injector(), template, meshNamespace).inject(documents));
        } catch (InputException e) {
            err.println("Error: " + e.getMessage());
            return ExitCodes.DATA_ERROR;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            err.println("Error: " + (filename.equals("-") ? "standard input" : filename) + " is not YAML: "
                    + e.getOriginalMessage());
            return ExitCodes.DATA_ERROR;
        } catch (IOException e) {
            err.println("Error: cannot read " + (filename.equals("-") ? "standard input" : filename) + ": "
                    + firstLine(e));
            return ExitCodes.DATA_ERROR;
        } catch (InjectionRefusedException e) {
            err.println("Error: sidecar injection refused: " + e.getMessage());
            return ExitCodes.DATA_ERROR;
        }
        if (output == null) {
            spec.commandLine().getOut().print(result);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        try {
            Files.writeString(output, result);
        } catch (IOException e) {
            err.println("Error: cannot write " + output + ": " + firstLine(e));
            return ExitCodes.UNKNOWN_ERROR;
        }
        return ExitCodes.OK;
    }

    private InjectionTemplate template() throws IOException {
        InjectionTemplate template = InjectionTemplate.defaults();
        if (injectConfigFile != null) {
            String values = unwrapConfigMap(read(injectConfigFile), "values.yaml", injectConfigFile);
            try {
                template = InjectionTemplate.parse(values);
            } catch (InjectionTemplate.InvalidTemplateException e) {
                throw new InputException(injectConfigFile + ": " + e.getMessage());
            }
        }
        if (meshConfigFile != null) {
            JsonNode mesh = parse(unwrapConfigMap(read(meshConfigFile), "mesh", meshConfigFile), meshConfigFile);
            template = template.withMesh(text(mesh.path("trustDomain")),
                    text(mesh.path("defaultConfig").path("discoveryAddress")), text(mesh.path("ca").path("address")));
        }
        return template;
    }

    /** The file's text, or, if it is a ConfigMap, the text under the given data key. */
    private static String unwrapConfigMap(String text, String key, Path file) {
        JsonNode doc = parse(text, file);
        if (!"ConfigMap".equals(doc.path("kind").asText())) {
            return text;
        }
        JsonNode value = doc.path("data").get(key);
        if (value == null || !value.isTextual()) {
            throw new InputException(file + ": the ConfigMap has no data." + key);
        }
        return value.asText();
    }

    private static JsonNode parse(String text, Path file) {
        try {
            List<JsonNode> docs = Yaml.readAll(text);
            return docs.isEmpty() ? Yaml.readAll("{}").get(0) : docs.get(0);
        } catch (IOException e) {
            throw new InputException(file + ": not YAML: " + firstLine(e));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + firstLine(e));
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** A file given on the command line cannot be used; the message says which and why. */
    private static final class InputException extends RuntimeException {
        InputException(String message) {
            super(message);
        }
    }
}
