package dev.mesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** samples/walkthrough holds the walkthrough's manifests exactly as the seed has them. */
class WalkthroughSamplesTest {

    @Test
    void samples_areTheSeedManifestsByteForByte() throws IOException {
        Path seed = ServiceProcess.root().resolve("../shared/seed/manifests").normalize();
        assumeTrue(Files.isDirectory(seed), "no seed beside the checkout at " + seed);
        Path samples = ServiceProcess.root().resolve("samples/walkthrough");
        List<Path> seedFiles;
        try (Stream<Path> list = Files.list(seed)) {
            seedFiles = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(seedFiles).isNotEmpty();
        for (Path file : seedFiles) {
            Path copy = samples.resolve(file.getFileName().toString());
            assertThat(copy).exists();
            assertThat(Files.readAllBytes(copy)).as(copy.toString()).isEqualTo(Files.readAllBytes(file));
        }
        try (Stream<Path> list = Files.list(samples)) {
            assertThat(list.count()).isEqualTo(seedFiles.size());
        }
    }
}
