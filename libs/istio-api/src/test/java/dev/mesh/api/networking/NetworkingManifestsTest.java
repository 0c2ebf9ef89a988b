package dev.mesh.api.networking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.groups.Tuple.tuple;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The networking kinds as read from whole manifests: the walkthrough's, old versions, unknown fields. */
class NetworkingManifestsTest {

    private static Path seedManifests() {
        Path dir = Path.of(System.getProperty("user.dir")).resolve("../../../shared/seed/manifests").normalize();
        if (!Files.isDirectory(dir)) {
            fail("the walkthrough's manifests are expected in " + dir + " (the shared seed directory next to the"
                    + " checkout); it is missing");
        }
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway.yaml", "destination-rule.yaml", "virtualservice-canary.yaml"})
    void walkthroughManifest_parsesWithoutAnyProblem(String file) {
        Manifests manifests = ManifestReader.readPaths(List.of(seedManifests().resolve(file)));
        assertThat(manifests.problems()).as("problems of " + file).isEmpty();
        assertThat(manifests.resources()).hasSize(1);
        assertThat(manifests.resources().get(0)).isInstanceOf(IstioResource.class);
    }

    @Test
    void walkthroughCanary_splitsNinetyTen() {
        Manifests manifests = ManifestReader.readPaths(List.of(seedManifests().resolve("virtualservice-canary.yaml")));
        VirtualService vs = manifests.of(Kind.VIRTUAL_SERVICE).get(0).spec();
        assertThat(vs.gateways()).containsExactly("podinfo-gw");
        assertThat(vs.http().get(0).route())
                .extracting(r -> r.destination().subset(), HTTPRouteDestination::weight)
                .containsExactly(tuple("v1", 90),
                        tuple("v2", 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v1beta1", "v1alpha3"})
    void everyServedVersion_isRead(String version) {
        Manifests manifests = ManifestReader.read("test.yaml", """
                apiVersion: networking.istio.io/%s
                kind: DestinationRule
                metadata: {name: podinfo, namespace: demo}
                spec:
                  host: podinfo.demo.svc.cluster.local
                  subsets: [{name: v1, labels: {version: v1}}]
                """.formatted(version));
        IstioResource<DestinationRule> dr = manifests.of(Kind.DESTINATION_RULE).get(0);
        assertThat(dr.problems()).isEmpty();
        assertThat(dr.apiVersion()).isEqualTo("networking.istio.io/" + version);
        assertThat(dr.spec().subsets().get(0).labels()).containsEntry("version", "v1");
    }

    @Test
    void unknownFields_areKeptInRawAndWarnedWithTheirPath() {
        Manifests manifests = ManifestReader.read("test.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: [podinfo.demo.svc.cluster.local]
                  http:
                  - route: [{destination: {host: podinfo.demo.svc.cluster.local}, weigth: 10}]
                    retryPolicy: {attempts: 3}
                  futureField: true
                """);
        IstioResource<VirtualService> vs = manifests.of(Kind.VIRTUAL_SERVICE).get(0);
        assertThat(vs.isValid()).isTrue();
        assertThat(vs.unknownFields()).containsExactlyInAnyOrder("spec.http[0].route[0].weigth",
                "spec.http[0].retryPolicy", "spec.futureField");
        assertThat(vs.problems())
                .filteredOn(p -> p.severity() == Problem.Severity.WARNING)
                .extracting(Problem::toString)
                .contains("VirtualService demo/podinfo: spec.http[0].retryPolicy: unknown field, kept as written but"
                        + " not used by the mesh");
        assertThat(vs.raw().at("/spec/http/0/retryPolicy/attempts").asInt()).isEqualTo(3);
        assertThat(vs.raw().at("/spec/futureField").asBoolean()).isTrue();
    }

    @Test
    void multiDocument_returnsTheBadAndTheGood_andTheGoodIsValid() {
        Manifests manifests = ManifestReader.read("test.yaml", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: broken-gw, namespace: demo}
                spec:
                  servers:
                  - port: {number: 0, name: http, protocol: HTTP}
                    hosts: ["*"]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: podinfo, namespace: demo}
                spec:
                  host: podinfo.demo.svc.cluster.local
                  subsets: [{name: v1, labels: {version: v1}}]
                """);
        assertThat(manifests.resources()).hasSize(2);
        IstioResource<Gateway> gateway = manifests.of(Kind.GATEWAY).get(0);
        assertThat(gateway.isValid()).isFalse();
        assertThat(gateway.errors()).extracting(Problem::toString)
                .contains("Gateway demo/broken-gw: spec.servers[0].port.number: port number 0 must be in the range"
                        + " 1..65535");
        IstioResource<DestinationRule> dr = manifests.of(Kind.DESTINATION_RULE).get(0);
        assertThat(dr.isValid()).isTrue();
        assertThat(dr.problems()).isEmpty();
        assertThat(manifests.errors()).allMatch(p -> p.resource().equals("Gateway demo/broken-gw"));
    }

    @Test
    void typeErrors_nameTheFieldAndTheValue() {
        Manifests manifests = ManifestReader.read("test.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: [podinfo.demo.svc.cluster.local]
                  http:
                  - route: [{destination: {host: podinfo.demo.svc.cluster.local}, weight: lots}]
                """);
        IstioResource<VirtualService> vs = manifests.of(Kind.VIRTUAL_SERVICE).get(0);
        assertThat(vs.errors()).extracting(Problem::toString)
                .containsExactly("VirtualService demo/podinfo: spec.http[0].route[0].weight: must be an integer, got"
                        + " \"lots\"");
    }
}
