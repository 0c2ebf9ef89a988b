package dev.mesh.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InjectionTemplateTest {

    @Test
    void emptyFile_givesTheDefaults() {
        assertThat(InjectionTemplate.parse("")).isEqualTo(InjectionTemplate.defaults());
    }

    @Test
    void givenKeys_overrideTheDefaults() {
        InjectionTemplate t = InjectionTemplate.parse("proxyImage: r/p:1\nnativeSidecar: true\n"
                + "proxyResources: {limits: {cpu: 1}}\n");
        assertThat(t.proxyImage()).isEqualTo("r/p:1");
        assertThat(t.nativeSidecar()).isTrue();
        assertThat(t.proxyResources().at("/limits/cpu").textValue()).isEqualTo("1");
        assertThat(t.caAddress()).isEqualTo(InjectionTemplate.defaults().caAddress());
    }

    @Test
    void everyProblem_isReportedWithItsKey() {
        assertThatThrownBy(() -> InjectionTemplate.parse("proxyImag: x\nimagePullPolicy: Sometimes\nnativeSidecar: maybe\n"))
                .isInstanceOf(InjectionTemplate.InvalidTemplateException.class)
                .hasMessageContaining("unknown key \"proxyImag\"")
                .hasMessageContaining("imagePullPolicy: \"Sometimes\"")
                .hasMessageContaining("nativeSidecar: \"maybe\"");
    }

    @Test
    void telemetryAddress_isOffByDefault_andInjectedWhenSet() {
        assertThat(InjectionTemplate.defaults().telemetryAddress()).isEmpty();
        InjectionTemplate t = InjectionTemplate.parse("telemetryAddress: telemetry.istio-system.svc:4317\n");
        assertThat(t.telemetryAddress()).isEqualTo("telemetry.istio-system.svc:4317");
        assertThat(InjectionTemplate.parse("telemetryAddress: \"\"\n").telemetryAddress()).isEmpty();
        assertThatThrownBy(() -> InjectionTemplate.parse("telemetryAddress: telemetry\n"))
                .hasMessageContaining("telemetryAddress: \"telemetry\" is not host:port");
    }

    @Test
    void notYaml_isReported() {
        assertThatThrownBy(() -> InjectionTemplate.parse("a: [\n")).hasMessageContaining("not YAML");
        assertThatThrownBy(() -> InjectionTemplate.parse("- a\n")).hasMessageContaining("must be a mapping");
    }
}
