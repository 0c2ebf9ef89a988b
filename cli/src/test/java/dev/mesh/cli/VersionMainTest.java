package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** The real application, booted by Quarkus, as a user runs it. */
@QuarkusMainTest
class VersionMainTest {

    @Test
    @Launch({"version", "--remote=false"})
    void meshctlVersionRemoteFalse_printsTheClientVersion(LaunchResult result) {
        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput()).isEqualTo("client version: " + BuildInfo.version());
    }
}
