package dev.mesh.api.networking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.Problem;
import java.util.List;

/** Parses test manifests and asserts on their problems, printing all of them when an assertion fails. */
final class Parsed {

    private Parsed() {
    }

    /** The single resource of {@code kind} in {@code yaml}. */
    static <S> IstioResource<S> one(Kind<S> kind, String yaml) {
        Manifests manifests = ManifestReader.read("test.yaml", yaml);
        assertThat(manifests.readProblems()).isEmpty();
        List<IstioResource<S>> resources = manifests.of(kind);
        assertThat(resources).hasSize(1);
        return resources.get(0);
    }

    static void assertClean(IstioResource<?> resource) {
        assertThat(resource.problems()).as("problems").isEmpty();
        assertThat(resource.isValid()).isTrue();
    }

    /**
     * Asserts an error naming {@code resourceName} at exactly {@code path}, whose message contains
     * every one of {@code gist}.
     */
    static void assertError(IstioResource<?> resource, String resourceName, String path, String... gist) {
        assertThat(resource.isValid()).as("valid, with problems %s", resource.problems()).isFalse();
        assertThat(resource.problems())
                .as("problems")
                .anySatisfy(p -> {
                    assertThat(p.isError()).isTrue();
                    assertThat(p.resource()).isEqualTo(resourceName);
                    assertThat(p.path()).isEqualTo(path);
                    assertThat(p.toString()).startsWith(resourceName + ": " + path + ": ");
                    assertThat(p.message()).contains(gist);
                });
    }

    static void assertWarning(IstioResource<?> resource, String path, String gist) {
        assertThat(resource.problems())
                .as("problems")
                .anySatisfy(p -> {
                    assertThat(p.severity()).isEqualTo(Problem.Severity.WARNING);
                    assertThat(p.path()).isEqualTo(path);
                    assertThat(p.message()).contains(gist);
                });
    }
}
