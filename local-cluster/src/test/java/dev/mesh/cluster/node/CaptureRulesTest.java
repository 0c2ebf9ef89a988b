package dev.mesh.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** istio-init's arguments to nat rules; the rules are golden files, rewritten with {@code -Dupdate=true}. */
class CaptureRulesTest {

    private static final Path GOLDEN = Path.of("src/test/resources/testdata/capture");

    private static void golden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("update")) {
            Files.writeString(file, actual);
            return;
        }
        assertThat(file).as("golden file %s is missing; run the tests with -Dupdate=true", file).exists();
        assertThat(actual).as("golden file %s is stale; run with -Dupdate=true and review the diff", file)
                .isEqualTo(Files.readString(file));
    }

    @Test
    void injectedDefaults_captureEverythingButTheProxysOwnPorts() throws IOException {
        // The arguments the injector writes for a pod without traffic annotations (libs/injection Injector).
        CaptureRules rules = CaptureRules.parse(List.of("istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337",
                "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020",
                "--log_output_level=default:info"));
        assertThat(rules.proxyGid()).isEqualTo(1337);
        golden("default.rules", rules.restoreInput());
    }

    @Test
    void annotations_narrowTheCapture() throws IOException {
        CaptureRules rules = CaptureRules.parse(List.of("istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337",
                "-m", "REDIRECT", "-i", "10.96.0.0/12,fd00::/8", "-x", "10.96.0.1/32", "-b", "9898,8080", "-d",
                "15090,15021,15020", "-o", "5432", "--log_output_level=default:info"));
        assertThat(rules.includeOutbound()).containsExactly("10.96.0.0/12");
        golden("annotated.rules", rules.restoreInput());
    }

    @Test
    void noInboundPorts_installsNoInboundJump() {
        CaptureRules rules = CaptureRules.parse(List.of("-b", "", "-i", ""));
        assertThat(rules.restoreInput()).doesNotContain("PREROUTING").doesNotContain("-j ISTIO_REDIRECT");
    }

    @Test
    void badArguments_nameTheFlag() {
        assertThatThrownBy(() -> CaptureRules.parse(List.of("-p", "http"))).hasMessage(
                "istio-iptables: -p \"http\" is not a number");
        assertThatThrownBy(() -> CaptureRules.parse(List.of("-d", "15090,99999"))).hasMessage(
                "istio-iptables: -d 99999 is not a port 1..65535");
        assertThatThrownBy(() -> CaptureRules.parse(List.of("-m", "TPROXY"))).hasMessageContaining(
                "-m TPROXY is not supported");
        assertThatThrownBy(() -> CaptureRules.parse(List.of("-k", "x"))).hasMessage(
                "istio-iptables: unknown flag -k");
        assertThatThrownBy(() -> CaptureRules.parse(List.of("-z"))).hasMessage("istio-iptables: -z needs a value");
    }
}
