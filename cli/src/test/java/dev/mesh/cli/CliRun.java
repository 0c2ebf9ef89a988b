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

    /** One run with stdout and stderr apart. */
    public record Split(int exitCode, String out, String err) {
    }

    public static Split split(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = MeshctlCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Split(code, out.toString(), err.toString());
    }
}
