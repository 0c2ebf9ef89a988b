package dev.mesh.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cli.CliRun;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

class ManifestGenerateTest {

    @Test
    void demoProfile_rendersEveryComponentAndTheCrds() {
        CliRun run = CliRun.of("manifest", "generate", "--set", "profile=demo");

        assertThat(run.exitCode()).as(run.output()).isZero();
        Manifest manifest = Manifest.parse(run.output());
        assertThat(manifest.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("config-distributor", "citadel-ca", "injector-webhook", "telemetry",
                        "istio-ingressgateway", "istio-egressgateway");
        assertThat(manifest.all(CustomResourceDefinition.class)).extracting(c -> c.getMetadata().getName())
                .contains("virtualservices.networking.istio.io", "peerauthentications.security.istio.io");
        assertThat(manifest.objects().get(0)).isInstanceOf(CustomResourceDefinition.class);
    }

    @Test
    void setValues_reachTheRenderedObjects() {
        CliRun run = CliRun.of("manifest", "generate", "--set", "configDistributor.replicas=3", "-i", "mesh-ns");

        assertThat(run.exitCode()).as(run.output()).isZero();
        Deployment distributor = Manifest.parse(run.output()).all(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("config-distributor")).findFirst().orElseThrow();
        assertThat(distributor.getSpec().getReplicas()).isEqualTo(3);
        assertThat(distributor.getMetadata().getNamespace()).isEqualTo("mesh-ns");
        assertThat(Manifest.parse(run.output()).all(Deployment.class)).extracting(HasMetadata::getMetadata)
                .extracting(m -> m.getName()).doesNotContain("istio-egressgateway");
    }

    @Test
    void unknownProfile_isRefusedWithHelmsReason() {
        CliRun run = CliRun.of("manifest", "generate", "--set", "profile=huge");

        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.output()).contains("/profile").contains("value must be one of 'demo', 'default', 'minimal'");
    }

    @Test
    void setWithoutEquals_isRefusedByName() {
        CliRun run = CliRun.of("manifest", "generate", "--set", "profile");

        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.output()).contains("--set profile: expected KEY=VALUE");
    }

    @Test
    void missingValuesFile_isRefusedByName() {
        CliRun run = CliRun.of("manifest", "generate", "-f", "no-such-values.yaml");

        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.output()).contains("values file no-such-values.yaml: no such file");
    }
}
