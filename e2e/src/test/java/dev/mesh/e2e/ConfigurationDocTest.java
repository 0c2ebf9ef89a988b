package dev.mesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every key of every service's {@code @ConfigMapping}, as the code declares it. */
class ConfigurationDocTest {

    private static final Pattern PREFIX = Pattern.compile("@ConfigMapping\\(prefix = \"([^\"]+)\"\\)");
    /** A key of a mapping: its optional default, then the accessor (any return type, no arguments). */
    private static final Pattern KEY = Pattern.compile(
            "(?:@WithDefault\\(\"([^\"]*)\"\\)\\s+)?(?:[\\w.]+(?:<[\\w.<>, ]+>)?)\\s+(\\w+)\\(\\);");

    @Test
    void everyConfigKey_isDocumentedWithItsVariableAndDefault() throws IOException {
        Path root = ServiceProcess.root();
        String doc = Files.readString(root.resolve("docs/configuration.md"));
        List<Path> configs;
        try (Stream<Path> walk = Files.walk(root.resolve("services"))) {
            configs = walk.filter(p -> p.toString().contains("/src/main/java/") && p.toString().endsWith("Config.java"))
                    .toList();
        }
        assertThat(configs).hasSizeGreaterThanOrEqualTo(5);
        List<String> missing = new ArrayList<>();
        int keys = 0;
        for (Path config : configs) {
            String source = Files.readString(config);
            Matcher prefix = PREFIX.matcher(source);
            if (!prefix.find()) {
                continue;
            }
            Matcher key = KEY.matcher(source);
            while (key.find()) {
                keys++;
                String property = prefix.group(1) + "." + kebab(key.group(2));
                String variable = property.toUpperCase().replace('.', '_').replace('-', '_');
                String row = "| `" + property + "` | `" + variable + "` |"
                        + (key.group(1) == null ? "" : " `" + key.group(1) + "` |");
                if (!doc.contains(row)) {
                    missing.add(row + " (from " + root.relativize(config) + ")");
                }
            }
        }
        assertThat(keys).isGreaterThan(10);
        assertThat(missing).as("rows missing from docs/configuration.md").isEmpty();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
