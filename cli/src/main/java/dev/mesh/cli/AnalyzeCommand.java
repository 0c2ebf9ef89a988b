package dev.mesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.Problem;
import dev.mesh.cli.analyze.AnalysisContext;
import dev.mesh.cli.analyze.Analyzer;
import dev.mesh.cli.analyze.Analyzers;
import dev.mesh.cli.analyze.Level;
import dev.mesh.cli.analyze.Message;
import java.nio.file.Files;
import java.nio.file.Path;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl analyze}: istioctl analyze's offline mode. Reads manifests from files and directories, runs the
 * analyzers over them (with the default ingress gateway assumed, as istioctl does without a cluster), prints
 * Istio's messages and exits with istioctl's codes. Analysis of a live cluster is not implemented yet.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = {"Analyze mesh configuration (Istio's API) and print validation messages.",
                "Reads the given YAML/JSON files and directories (recursively) without a cluster. Messages use"
                        + " Istio's codes; see https://istio.io/latest/docs/reference/config/analysis/."},
        footer = {"", "Exit codes: 0 no issues at or above --failure-threshold; 64 bad usage; 65 a file could not be"
                + " parsed; 79 issues found (log output only, as istioctl).",
                "", "Examples:",
                "  meshctl analyze -f samples/walkthrough -n demo --use-kube=false",
                "  meshctl analyze -n demo",
                "  meshctl analyze --all-namespaces -o json"})
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
            description = "The namespace to report on, and the namespace of objects that name none (default: "
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
            description = "Analyze the live cluster too (default: ${DEFAULT-VALUE}). Not implemented yet: files are"
                    + " analyzed on their own; without files, pass --use-kube=false or files.")
    boolean useKube;

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
        if (paths.isEmpty() && useKube) {
            return usageError("analyzing a live cluster is not implemented in meshctl yet: pass the manifests to"
                    + " analyze with -f FILE_OR_DIR (and --use-kube=false)");
        }
        for (Path path : paths) {
            if (!Files.exists(path)) {
                // istioctl fails on the stat of a missing path before analyzing anything.
                return fail(ExitCodes.UNKNOWN_ERROR, "stat " + path + ": no such file or directory");
            }
        }

        String reported = allNamespaces ? "" : namespace == null ? DEFAULT_NAMESPACE : namespace;
        String target = allNamespaces ? "all namespaces" : "namespace: " + reported;
        Manifests manifests = ManifestReader.readPaths(paths)
                .inNamespace(namespace == null ? DEFAULT_NAMESPACE : namespace);
        Set<String> unparsed = new LinkedHashSet<>();
        for (Problem p : parseFailures(manifests)) {
            cmd.getErr().println("Error(s) adding files: " + p);
            unparsed.add(fileOf(p));
        }

        AnalysisContext context = AnalysisContext.of(manifests).withDefaultIngressGateway();
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
