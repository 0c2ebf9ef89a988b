package dev.mesh.cluster.node;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the host's network tools ({@code ip}, {@code iptables-restore}) and says what failed when they fail. */
public final class HostCommands {

    /** A command exited non-zero, could not start, or hung. */
    public static final class CommandFailedException extends RuntimeException {
        CommandFailedException(String message) {
            super(message);
        }
    }

    private HostCommands() {
    }

    public static String run(List<String> argv) {
        return run(argv, null);
    }

    /** Runs {@code argv} with {@code stdin} (or none), waits up to 30 s and returns its standard output. */
    public static String run(List<String> argv, String stdin) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(stdin == null ? ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null")) : ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new CommandFailedException(String.join(" ", argv) + ": cannot start: " + e.getMessage());
        }
        try {
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CommandFailedException(String.join(" ", argv) + ": no exit within 30 s");
            }
            if (process.exitValue() != 0) {
                throw new CommandFailedException(String.join(" ", argv) + " exited with " + process.exitValue()
                        + ": " + err.join().strip() + (stdin == null ? "" : "\ninput:\n" + stdin));
            }
            return out.join();
        } catch (IOException e) {
            throw new CommandFailedException(String.join(" ", argv) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CommandFailedException(String.join(" ", argv) + ": interrupted");
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The effective uid of this process, from procfs (Java has no direct way). */
    public static int effectiveUid() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
