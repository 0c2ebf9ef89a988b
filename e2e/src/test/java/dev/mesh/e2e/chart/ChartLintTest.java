package dev.mesh.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/**
 * {@code helm lint --strict} on the chart: warnings fail as errors do. helm-java's lint takes no values, so it lints
 * the default profile; the other profiles are rendered by {@link ChartProfilesTest}.
 */
class ChartLintTest {

    @Test
    void strictLint_passesWithoutWarnings() {
        LintResult result = MeshChart.helm().lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }
}
