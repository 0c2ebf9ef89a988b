package dev.mesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every shell script of the project passes shellcheck (Debian's package, installed by scripts/setup-system.sh):
 * the kind scripts cannot run here, so this is what keeps them honest. Skipped without shellcheck, except in CI.
 */
class ShellScriptsTest {

    @Test
    void everyScript_passesShellcheck() throws Exception {
        boolean present = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "shellcheck")));
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("shellcheck is not installed; scripts/setup-system.sh installs it");
        }
        assumeTrue(present, "shellcheck is not installed (scripts/setup-system.sh installs it); skipping");
        Path root = ServiceProcess.root();
        List<String> scripts = scripts(root);
        assertThat(scripts).contains("e2e/kind/up.sh", "e2e/kind/run-e2e.sh", "e2e/kind/down.sh",
                "deploy/images/build.sh", "mesh", ".ci/run", "scripts/setup-system.sh");

        List<String> command = new ArrayList<>(List.of("shellcheck", "-x", "--severity=style"));
        command.addAll(scripts);
        Process shellcheck = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        String report = new String(shellcheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shellcheck.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(shellcheck.exitValue()).as("shellcheck findings:%n%s", report).isZero();
    }

    /** The project's shell scripts: *.sh files and the extension-less entry points that start with a bash shebang. */
    private static List<String> scripts(Path root) throws IOException {
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = root.relativize(file).toString();
                if (rel.contains("/target/") || rel.startsWith("target/") || rel.contains("node_modules/")
                        || rel.startsWith(".git/") || rel.startsWith(".mvn/") || rel.equals("mvnw")) {
                    continue;
                }
                if (rel.endsWith(".sh") || rel.equals("mesh") || rel.equals(".ci/run")) {
                    scripts.add(rel);
                }
            }
        }
        return scripts;
    }
}
