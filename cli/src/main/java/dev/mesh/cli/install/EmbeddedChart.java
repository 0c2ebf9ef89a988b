package dev.mesh.cli.install;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The mesh's Helm chart as built into meshctl ({@code deploy/charts/mesh}), rendered by real Helm. The chart's
 * files are resources listed in {@code chart/index.txt}; rendering copies them to a temporary directory because
 * Helm reads a chart from the file system.
 */
public final class EmbeddedChart {

    private static final String BASE = "/dev/mesh/cli/chart/";

    private EmbeddedChart() {
    }

    /**
     * {@code helm template} of the chart into {@code namespace} with the {@code --set} pairs (in order, later wins)
     * and values files; CRDs included. Helm's own errors (an unknown profile, a value the schema refuses) come back
     * as an {@link IllegalArgumentException} carrying Helm's message.
     */
    public static String render(String namespace, Map<String, String> sets, List<Path> valuesFiles) {
        Path dir = extract();
        try {
            TemplateCommand template = new Helm(dir).template().withName("mesh").withNamespace(namespace);
            for (Path file : valuesFiles) {
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("values file " + file + ": no such file");
                }
                template = template.withValuesFile(file.toAbsolutePath());
            }
            for (Map.Entry<String, String> set : sets.entrySet()) {
                template = template.set(set.getKey(), set.getValue());
            }
            try {
                // Helm's template leaves out crds/; install applies them first, so the manifest carries them.
                return crds() + template.call();
            } catch (IllegalStateException e) {
                // helm-java reports Helm's failures (template errors, schema violations) this way.
                throw new IllegalArgumentException("the chart does not render with these values: "
                        + e.getMessage().strip(), e);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static String crds() {
        StringBuilder yaml = new StringBuilder();
        for (String file : files()) {
            if (file.startsWith("crds/") && (file.endsWith(".yaml") || file.endsWith(".yml"))) {
                yaml.append("---\n# Source: mesh/").append(file).append('\n').append(read("mesh/" + file).strip())
                        .append('\n');
            }
        }
        return yaml.toString();
    }

    private static List<String> files() {
        return read("index.txt").lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static Path extract() {
        try {
            Path dir = Files.createTempDirectory("meshctl-chart-");
            for (String file : files()) {
                Path target = dir.resolve(file).normalize();
                if (!target.startsWith(dir)) {
                    throw new IllegalStateException("chart index names a file outside the chart: " + file);
                }
                Files.createDirectories(target.getParent());
                Files.writeString(target, read("mesh/" + file));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart to a temporary directory", e);
        }
    }

    private static String read(String resource) {
        try (InputStream in = EmbeddedChart.class.getResourceAsStream(BASE + resource)) {
            if (in == null) {
                throw new IllegalStateException("meshctl was built without its chart (missing resource " + BASE
                        + resource + "); rebuild it with ./mvnw -pl cli -am package");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BASE + resource, e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the temporary chart directory " + dir, e);
        }
    }
}
