package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionCommandTest {

    @Test
    void remoteFalse_printsOnlyTheClientVersionFromTheBuild() {
        CliRun run = CliRun.of("version", "--remote=false");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).isEqualTo("client version: " + BuildInfo.version() + System.lineSeparator());
        assertThat(BuildInfo.version()).doesNotContain("${").isNotBlank();
    }

    @Test
    void remoteByDefault_saysWhyTheControlPlaneVersionIsMissing_andStillSucceeds() {
        CliRun run = CliRun.of("version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("control plane version not available")
                .contains("no cluster connectivity")
                .endsWith("client version: " + BuildInfo.version() + System.lineSeparator());
    }

    @Test
    void jsonOutput_isAClientVersionDocument() {
        CliRun run = CliRun.of("version", "--remote=false", "-o", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("\"clientVersion\"").contains("\"version\" : \"" + BuildInfo.version() + "\"");
    }

    @Test
    void yamlOutput_isAClientVersionDocument() {
        CliRun run = CliRun.of("version", "--remote=false", "-o", "yaml");

        assertThat(run.output()).contains("clientVersion:").contains("version: \"" + BuildInfo.version() + "\"");
    }

    @Test
    void unknownOutputFormat_isAUsageError() {
        CliRun run = CliRun.of("version", "-o", "xml");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INCORRECT_USAGE);
        assertThat(run.output()).contains("not a valid output format");
    }
}
