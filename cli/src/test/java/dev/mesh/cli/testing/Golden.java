package dev.mesh.cli.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Golden files under {@code src/test/resources/testdata/}; {@code -Dupdate=true} rewrites them. */
public final class Golden {

    public static final Path TESTDATA = Path.of("src/test/resources/testdata");
    private static final boolean UPDATE = Boolean.getBoolean("update");

    private Golden() {
    }

    public static void assertMatches(String relativePath, String actual) {
        Path file = TESTDATA.resolve(relativePath);
        try {
            if (UPDATE) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) {
                fail("golden file " + file + " is missing; run with -Dupdate=true to write it");
            }
            assertThat(actual).as("%s (stale golden file? -Dupdate=true rewrites it)", file)
                    .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String read(String relativePath) {
        try {
            return Files.readString(TESTDATA.resolve(relativePath), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
