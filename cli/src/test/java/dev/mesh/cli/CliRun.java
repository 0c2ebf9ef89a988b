package dev.mesh.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of meshctl through picocli, its stdout and stderr captured together in the order printed. */
public record CliRun(int exitCode, String output) {

    public static CliRun of(String... args) {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text, true);
        CommandLine cmd = MeshctlCommand.commandLine();
        cmd.setOut(writer);
        cmd.setErr(writer);
        int code = cmd.execute(args);
        writer.flush();
        return new CliRun(code, text.toString());
    }
}
