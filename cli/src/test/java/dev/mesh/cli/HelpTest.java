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
    void everyCommand_hasAnExamplesFooterWithAMeshctlLine() {
        java.util.List<String> missing = new java.util.ArrayList<>();
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
        todo.add(MeshctlCommand.commandLine());
        int checked = 0;
        while (!todo.isEmpty()) {
            picocli.CommandLine cmd = todo.poll();
            // aliases register the same command line several times; each is checked once
            cmd.getSubcommands().values().stream().distinct().forEach(todo::add);
            String usage = cmd.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF);
            int examples = usage.indexOf("Examples:");
            if (examples < 0 || !usage.substring(examples).contains("meshctl ")) {
                missing.add(cmd.getCommandSpec().qualifiedName());
            }
            checked++;
        }
        assertThat(missing).as("commands without an Examples footer").isEmpty();
        assertThat(checked).isGreaterThanOrEqualTo(20);
    }

    @Test
    void completion_bashAndZsh_completeTheSubcommands() {
        CliRun bash = CliRun.of("completion", "bash");
        assertThat(bash.exitCode()).isZero();
        assertThat(bash.output()).contains("complete -F _complete_meshctl", "proxy-config", "proxy-status",
                "--istioNamespace");

        // the script loads in a real bash and completes the first word
        try {
            java.nio.file.Path script = java.nio.file.Files.createTempFile("meshctl-completion", ".bash");
            java.nio.file.Files.writeString(script, bash.output());
            Process p = new ProcessBuilder("bash", "-c", "source " + script + " && COMP_WORDS=(meshctl proxy-c)"
                    + " && COMP_CWORD=1 && _complete_meshctl && echo \"${COMPREPLY[@]}\"")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out.strip()).isEqualTo("proxy-config");
            java.nio.file.Files.delete(script);
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }

        CliRun zsh = CliRun.of("completion", "zsh");
        assertThat(zsh.exitCode()).isZero();
        assertThat(zsh.output()).startsWith("#compdef meshctl\n").contains("bashcompinit", "complete -F _complete_meshctl");
    }

    @Test
    void unknownSubcommand_exitsWithIstioctlsUsageCode() {
        assertThat(CliRun.of("bogus").exitCode()).isEqualTo(ExitCodes.INCORRECT_USAGE);
    }
}
