package dev.mesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every manifest of the walkthrough reads, the Istio ones into the typed model, with no problem at all. */
class SeedManifestsTest {

    private static final Path SEED = Path.of(System.getProperty("user.dir")).resolve("../../../shared/seed/manifests")
            .normalize();

    @Test
    void walkthroughManifests_parseIntoTheTypedModel_andValidateClean() {
        assertThat(SEED).as("the walkthrough's manifests beside the checkout").isDirectory();
        Manifests read = ManifestReader.readPaths(List.of(SEED));
        assertThat(read.problems()).isEmpty();
        assertThat(read.resources()).extracting(Manifest::displayName).containsExactlyInAnyOrder(
                "DestinationRule demo/podinfo", "Gateway demo/podinfo-gw", "PeerAuthentication demo/default",
                "Service demo/podinfo", "Deployment demo/podinfo-v1", "Deployment demo/podinfo-v2",
                "VirtualService demo/podinfo");
        assertThat(read.of(Kind.VIRTUAL_SERVICE).get(0).spec().http().get(0).route())
                .extracting(r -> r.destination().subset() + "=" + r.weight()).containsExactly("v1=90", "v2=10");
        assertThat(read.of(Kind.GATEWAY).get(0).spec().servers().get(0).port().number()).isEqualTo(80);
        assertThat(read.of(Kind.PEER_AUTHENTICATION).get(0).spec().mtls().mode().name()).isEqualTo("STRICT");
        assertThat(read.of(Kind.DESTINATION_RULE).get(0).spec().subsets()).hasSize(2);
    }

    @Test
    void samplesInTheRepository_areTheSameManifests() throws Exception {
        Path samples = Path.of(System.getProperty("user.dir")).resolve("../../samples/walkthrough");
        try (var files = Files.list(SEED)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                assertThat(Files.readString(samples.resolve(f.getFileName().toString()))).isEqualTo(Files.readString(f));
            }
        }
    }
}
