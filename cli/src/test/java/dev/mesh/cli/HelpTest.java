package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelpTest {

    @Test
    void topCommandHelp_listsTheSubcommands() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("Usage: meshctl").contains("version").contains("analyze");
    }

    @Test
    void versionHelp_describesRemoteAndOutput() {
        CliRun run = CliRun.of("version", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("Usage: meshctl version").contains("--remote").contains("--output");
    }

    @Test
    void analyzeHelp_describesEveryFlag() {
        CliRun run = CliRun.of("analyze", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("Usage: meshctl analyze")
                .contains("--filename", "--namespace", "--all-namespaces", "--output", "--output-threshold",
                        "--failure-threshold", "--use-kube", "Exit codes");
    }

    @Test
    void installHelp_describesValuesClusterAndTimeoutWithExamples() {
        CliRun run = CliRun.of("install", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("Usage: meshctl install")
                .contains("--set", "--filename", "--istioNamespace", "--kubeconfig", "--context",
                        "--skip-confirmation", "--readiness-timeout", "Examples:", "meshctl install --set profile=demo -y");
    }

    @Test
    void unknownSubcommand_exitsWithIstioctlsUsageCode() {
        assertThat(CliRun.of("bogus").exitCode()).isEqualTo(ExitCodes.INCORRECT_USAGE);
    }
}
