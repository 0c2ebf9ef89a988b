package dev.mesh.injection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Golden files under {@code src/test/resources/testdata/}: compared byte for byte, rewritten with
 * {@code -Dupdate=true}. A golden file that no longer matches, or whose input is gone, fails.
 */
final class Golden {

    static final boolean UPDATE = Boolean.getBoolean("update");
    static final String SUFFIX = ".golden.yaml";

    private Golden() {
    }

    static Path dir(String name) {
        return Path.of("src/test/resources/testdata", name);
    }

    /** The inputs of a golden directory: every {@code .yaml} that is not itself a golden file. */
    static List<Path> inputs(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !p.toString().endsWith(SUFFIX)).sorted()
                    .toList();
        }
    }

    static Path goldenFor(Path input) {
        String name = input.getFileName().toString();
        return input.resolveSibling(name.substring(0, name.length() - ".yaml".length()) + SUFFIX);
    }

    static void check(Path golden, String actual) throws IOException {
        if (UPDATE) {
            Files.writeString(golden, actual);
            return;
        }
        assertThat(golden).as("golden file %s is missing; run the tests with -Dupdate=true", golden).exists();
        assertThat(actual).as("golden file %s is stale; run the tests with -Dupdate=true and review the diff", golden)
                .isEqualTo(Files.readString(golden));
    }

    /** Golden files whose input is gone fail too, so that nothing stale stays behind. */
    static void noOrphans(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path golden : files.filter(p -> p.toString().endsWith(SUFFIX)).toList()) {
                String name = golden.getFileName().toString();
                Path input = golden.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + ".yaml");
                if (UPDATE && !Files.exists(input)) {
                    Files.delete(golden);
                } else {
                    assertThat(input).as("golden file %s has no input", golden).exists();
                }
            }
        }
    }
}
