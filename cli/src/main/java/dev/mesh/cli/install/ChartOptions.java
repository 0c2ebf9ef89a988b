package dev.mesh.cli.install;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The chart's values as install, uninstall and manifest generate take them: {@code --set} and values files. */
public final class ChartOptions {

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Set a chart value, e.g. --set profile=demo or --set configDistributor.replicas=3"
                    + " (repeatable; later wins). The keys are the chart's (deploy/charts/mesh/values.yaml).")
    List<String> sets = new ArrayList<>();

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "A values file for the chart (repeatable; --set wins over files).")
    List<Path> valuesFiles = new ArrayList<>();

    @Option(names = {"-i", "--istioNamespace"}, paramLabel = "NAMESPACE", defaultValue = "istio-system",
            description = "The mesh's own namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    /** The {@code --set} pairs in order; a pair without {@code =} or with an empty key is refused by name. */
    public Map<String, String> sets() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set " + set + ": expected KEY=VALUE, e.g. --set profile=demo");
            }
            map.remove(set.substring(0, eq));
            map.put(set.substring(0, eq), set.substring(eq + 1));
        }
        return map;
    }

    /** The {@code --set} arguments as given. */
    public List<String> rawSets() {
        return List.copyOf(sets);
    }

    /** The same values files and namespace with other {@code --set} arguments. */
    public ChartOptions withSets(List<String> otherSets) {
        ChartOptions copy = new ChartOptions();
        copy.sets = new ArrayList<>(otherSets);
        copy.valuesFiles = valuesFiles;
        copy.namespace = namespace;
        return copy;
    }

    public String namespace() {
        return namespace;
    }

    public Manifest render() {
        return Manifest.parse(renderText());
    }

    public String renderText() {
        return EmbeddedChart.render(namespace, sets(), valuesFiles);
    }

    /** The profile these values choose, for messages ({@code default} when none is set). */
    public String profile() {
        return sets().getOrDefault("profile", "default");
    }
}
