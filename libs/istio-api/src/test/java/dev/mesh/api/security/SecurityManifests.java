package dev.mesh.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.Problem;
import java.util.List;

/** Reads one-resource manifests and asserts on the problems found, for the security kind tests. */
final class SecurityManifests {

    private SecurityManifests() {
    }

    /** The single resource of kind {@code kind} in {@code yaml}. */
    static <S> IstioResource<S> readOne(Kind<S> kind, String yaml) {
        Manifests manifests = ManifestReader.read("x.yaml", yaml);
        assertThat(manifests.readProblems()).as("read problems").isEmpty();
        List<IstioResource<S>> resources = manifests.of(kind);
        assertThat(resources).as("resources of kind %s", kind).hasSize(1);
        return resources.get(0);
    }

    /** Asserts that {@code resource} has an error at {@code path} naming the resource, whose message contains {@code gist}. */
    static void assertError(IstioResource<?> resource, String displayName, String path, String gist) {
        assertThat(resource.errors())
                .as("errors of %s", resource.displayName())
                .anySatisfy(problem -> {
                    assertThat(problem.resource()).isEqualTo(displayName);
                    assertThat(problem.path()).isEqualTo(path);
                    assertThat(problem.message()).contains(gist);
                });
    }

    static void assertWarning(IstioResource<?> resource, String path, String gist) {
        assertThat(resource.problems())
                .filteredOn(p -> p.severity() == Problem.Severity.WARNING)
                .anySatisfy(problem -> {
                    assertThat(problem.path()).isEqualTo(path);
                    assertThat(problem.message()).contains(gist);
                });
    }
}
