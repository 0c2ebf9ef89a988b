package dev.mesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.api.Manifest;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.Problem;
import dev.mesh.cli.analyze.AnalysisContext;
import dev.mesh.cli.analyze.Analyzer;
import dev.mesh.cli.analyze.Analyzers;
import dev.mesh.cli.analyze.ClusterReader;
import dev.mesh.cli.analyze.Level;
import dev.mesh.cli.analyze.Message;
import dev.mesh.cli.analyze.Overlay;
import dev.mesh.cli.kube.KubeErrors;
import dev.mesh.cli.kube.KubeOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl analyze}: istioctl analyze. Runs the analyzers over one set of objects and prints Istio's messages
 * with istioctl's exit codes. The objects are the live cluster's (read by {@link ClusterReader}) with the given
 * files' objects over them ({@link Overlay}), or with {@code --use-kube=false} the files alone plus the default
 * ingress gateway istioctl assumes without a cluster.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = {"Analyze mesh configuration (Istio's API) and print validation messages.",
                "Reads the live cluster of the current kubeconfig context (Istio's networking, security and"
                        + " telemetry resources, Gateway API Gateways, Namespaces, Services, Pods, Nodes, Secrets and"
                        + " the mesh's istio* ConfigMaps; kinds whose CRDs are not installed count as none) and the"
                        + " given YAML/JSON files and directories (recursively). A file's object replaces the"
                        + " cluster's object of the same kind, namespace and name: the result is what applying the"
                        + " files would give. With --use-kube=false only the files are read.",
                "Messages use Istio's codes; see https://istio.io/latest/docs/reference/config/analysis/."},
        footer = {"", "Exit codes: 0 no issues at or above --failure-threshold (also when the namespace does not"
                + " exist, which is said on stderr, as istioctl); 1 the cluster cannot be read; 64 bad usage; 65 a"
                + " file could not be parsed; 79 issues found (log output only, as istioctl).",
                "", "Examples:",
                "  meshctl analyze -n demo",
                "  meshctl analyze --all-namespaces -o json",
                "  meshctl analyze -n demo dr.yaml    # the cluster as if dr.yaml were applied",
                "  meshctl analyze --use-kube=false -f samples/walkthrough -n demo"})
public class AnalyzeCommand implements Callable<Integer> {

    static final String DEFAULT_NAMESPACE = "default";
    static final String DOCS = "https://istio.io/latest/docs/reference/config/analysis";

    enum Format { LOG, JSON, YAML }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE_OR_DIR",
            description = "A manifest file, or a directory read recursively (*.yaml, *.yml, *.json). Repeatable.")
    List<Path> filenames = new ArrayList<>();

    @Parameters(paramLabel = "FILE_OR_DIR", arity = "0..*",
            description = "More files or directories, as istioctl analyze takes them.")
    List<Path> files = new ArrayList<>();

    @Option(names = {"-n", "--namespace"},
            description = "The namespace to report on, and the namespace of file objects that name none (default:"
                    + " the kubeconfig context's namespace, else " + DEFAULT_NAMESPACE + "; with --use-kube=false "
                    + DEFAULT_NAMESPACE + ").")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "Report on every namespace.")
    boolean allNamespaces;

    @Option(names = {"-o", "--output"}, defaultValue = "log", converter = FormatConverter.class,
            description = "Output format: log, json or yaml (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = "--output-threshold", defaultValue = "Info", converter = LevelConverter.class,
            description = "The lowest level of messages printed: Info, Warning or Error (default: ${DEFAULT-VALUE}).")
    Level outputThreshold;

    @Option(names = "--failure-threshold", defaultValue = "Error", converter = LevelConverter.class,
            description = "The lowest level of messages that makes the exit code non-zero: Info, Warning or Error"
                    + " (default: ${DEFAULT-VALUE}).")
    Level failureThreshold;

    @Option(names = {"-k", "--use-kube"}, arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Use the live cluster for analysis, the files (if any) applied over it (default:"
                    + " ${DEFAULT-VALUE}). Set --use-kube=false to analyze files only.")
    boolean useKube;

    @Option(names = {"-i", "--istioNamespace"}, paramLabel = "NAMESPACE",
            defaultValue = AnalysisContext.ISTIO_NAMESPACE,
            description = "The mesh's namespace, whose istio* ConfigMaps are read (default: ${DEFAULT-VALUE}).")
    String istioNamespace;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = InstallCommand.DurationConverter.class,
            description = "How long to wait for the cluster to connect and to answer each request before failing"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    KubeOptions kube;

    @Option(names = "--analyzer", paramLabel = "NAME",
            description = "Run only this analyzer (Istio's name, see --list-analyzers). Repeatable.")
    List<String> analyzerNames = new ArrayList<>();

    @Option(names = {"-L", "--list-analyzers"}, description = "List the analyzers and exit.")
    boolean listAnalyzers;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (listAnalyzers) {
            Analyzers.all().keySet().stream().sorted().forEach(name -> cmd.getOut().println("* " + name));
            cmd.getOut().flush();
            return ExitCodes.OK;
        }
        List<Analyzer> analyzers = new ArrayList<>();
        for (String name : analyzerNames) {
            var analyzer = Analyzers.byName(name);
            if (analyzer.isEmpty()) {
                return usageError("unknown analyzer \"" + name + "\"; see meshctl analyze --list-analyzers");
            }
            analyzers.add(analyzer.get());
        }
        if (analyzers.isEmpty()) {
            analyzers.addAll(Analyzers.all().values());
        }
        if (allNamespaces && namespace != null) {
            return usageError("--namespace and --all-namespaces cannot be used together");
        }
        List<Path> paths = new ArrayList<>(filenames);
        paths.addAll(files);
        for (Path path : paths) {
            if (!Files.exists(path)) {
                // istioctl fails on the stat of a missing path before analyzing anything.
                return fail(ExitCodes.UNKNOWN_ERROR, "stat " + path + ": no such file or directory");
            }
        }

        String selected = namespace == null ? DEFAULT_NAMESPACE : namespace;
        List<Manifest> clusterObjects = List.of();
        if (useKube) {
            try (KubernetesClient client = kube.client(this::limitWaits)) {
                try {
                    if (namespace == null) {
                        selected = contextNamespace(client);
                    }
                    if (!allNamespaces && client.namespaces().withName(selected).get() == null) {
                        // istioctl's answer to a namespace the cluster does not have: this line, and exit code 0.
                        cmd.getErr().println("namespace \"" + selected + "\" not found");
                        cmd.getErr().flush();
                        return ExitCodes.OK;
                    }
                    clusterObjects = new ClusterReader(client, istioNamespace).read();
                } catch (KubernetesClientException e) {
                    return fail(ExitCodes.UNKNOWN_ERROR, "cannot read the cluster at "
                            + describe(client.getConfiguration()) + ": " + KubeErrors.describe(e));
                }
            } catch (IllegalArgumentException e) {
                // --kubeconfig or --context naming nothing
                return fail(ExitCodes.UNKNOWN_ERROR, e.getMessage());
            }
        }

        String reported = allNamespaces ? "" : selected;
        String target = allNamespaces ? "all namespaces" : "namespace: " + reported;
        Manifests manifests = ManifestReader.readPaths(paths).inNamespace(selected);
        Set<String> unparsed = new LinkedHashSet<>();
        for (Problem p : parseFailures(manifests)) {
            cmd.getErr().println("Error(s) adding files: " + p);
            unparsed.add(fileOf(p));
        }

        AnalysisContext context = useKube
                ? AnalysisContext.of(Overlay.filesOverCluster(clusterObjects, manifests.resources()))
                : AnalysisContext.of(manifests).withDefaultIngressGateway();
        List<Message> messages = sortedDistinct(Analyzers.run(context, analyzers).stream()
                .filter(m -> reported.isEmpty() || m.namespace().isEmpty() || m.namespace().equals(reported))
                .toList());
        List<Message> shown = messages.stream().filter(m -> m.level().isAtLeast(outputThreshold)).toList();

        print(cmd, shown);
        if (shown.isEmpty()) {
            if (unparsed.isEmpty()) {
                cmd.getErr().println("\u2714 No validation issues found when analyzing " + target + ".");
            } else {
                cmd.getErr().println("No validation issues found when analyzing " + target + " (but " + unparsed.size()
                        + (unparsed.size() == 1 ? " file" : " files") + " could not be parsed).");
            }
        }
        cmd.getOut().flush();
        cmd.getErr().flush();

        // As istioctl: exit codes reflect all messages (not only those shown), and only in log output.
        if (output != Format.LOG) {
            return ExitCodes.OK;
        }
        if (messages.stream().anyMatch(m -> m.level().isAtLeast(failureThreshold))) {
            return fail(ExitCodes.ANALYZER_FOUND_ISSUES, "Analyzers found issues when analyzing " + target + ".\n"
                    + "See " + DOCS + " for more information about causes and resolutions.");
        }
        if (!unparsed.isEmpty()) {
            return fail(ExitCodes.DATA_ERROR, "Some files couldn't be parsed.");
        }
        return ExitCodes.OK;
    }

    private void print(CommandLine cmd, List<Message> shown) throws Exception {
        switch (output) {
            case LOG -> shown.forEach(m -> cmd.getOut().println(m.render()));
            case JSON, YAML -> {
                List<Map<String, Object>> docs = new ArrayList<>();
                for (Message m : shown) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("code", m.code());
                    doc.put("documentationUrl", DOCS + "/" + m.code().toLowerCase(Locale.ROOT) + "/?ref=meshctl-analyze");
                    doc.put("level", m.level().toString());
                    doc.put("message", m.text());
                    doc.put("origin", m.resource());
                    docs.add(doc);
                }
                ObjectMapper mapper = output == Format.JSON
                        ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        : new YAMLMapper();
                cmd.getOut().println(mapper.writeValueAsString(docs).stripTrailing());
            }
        }
    }

    /** One attempt per request, within --timeout: an unreachable cluster is said at once. */
    private Config limitWaits(Config config) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(millis);
        config.setRequestTimeout(millis);
        return config;
    }

    /** The kubeconfig context's namespace, else {@code default}, as istioctl defaults {@code -n}. */
    private static String contextNamespace(KubernetesClient client) {
        String ns = client.getNamespace();
        return ns == null || ns.isBlank() ? DEFAULT_NAMESPACE : ns;
    }

    /** The API server and where its address came from, for a user to see which cluster could not be read. */
    static String describe(Config config) {
        StringBuilder where = new StringBuilder(config.getMasterUrl());
        if (config.getFile() != null) {
            where.append(" (kubeconfig ").append(config.getFile());
            if (config.getCurrentContext() != null) {
                where.append(", context ").append(config.getCurrentContext().getName());
            }
            where.append(')');
        } else {
            where.append(" (no kubeconfig: --kubeconfig, $KUBECONFIG and ~/.kube/config name none; the in-cluster"
                    + " service account, if any)");
        }
        return where.toString();
    }

    /** istioctl's order: worst level first, then code, resource and text; exact repeats printed once. */
    static List<Message> sortedDistinct(List<Message> messages) {
        return messages.stream()
                .sorted(Comparator.comparing(Message::level).reversed()
                        .thenComparing(Message::code)
                        .thenComparing(Message::resource)
                        .thenComparing(Message::text))
                .distinct()
                .collect(Collectors.toList());
    }

    /** The problems of documents that could not be read at all (a resource's own problems are IST0106's). */
    static List<Problem> parseFailures(Manifests manifests) {
        return manifests.readProblems().stream().filter(Problem::isError).toList();
    }

    /** The file a read problem is about: its resource is the file, or {@code file (document N)}. */
    private static String fileOf(Problem p) {
        int doc = p.resource().indexOf(" (document ");
        return doc < 0 ? p.resource() : p.resource().substring(0, doc);
    }

    private int usageError(String message) {
        CommandLine cmd = spec.commandLine();
        cmd.getErr().println("Error: " + message);
        cmd.getErr().println("Run 'meshctl analyze --help' for usage.");
        cmd.getErr().flush();
        return ExitCodes.INCORRECT_USAGE;
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("Error: " + message);
        spec.commandLine().getErr().flush();
        return code;
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "\"" + value + "\" is not a valid output format: use log, json or yaml");
            }
        }
    }

    static final class LevelConverter implements CommandLine.ITypeConverter<Level> {
        @Override
        public Level convert(String value) {
            try {
                return Level.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
