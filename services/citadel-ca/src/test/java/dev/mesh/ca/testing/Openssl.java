package dev.mesh.ca.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code openssl verify} on a chain, as an operator would. */
public final class Openssl {

    private Openssl() {
    }

    /** The output of {@code openssl verify -CAfile root-cert.pem [-untrusted intermediates] leaf.pem}; throws if it fails. */
    public static String verify(Path dir, List<String> chain) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path root = Files.writeString(dir.resolve("root-cert.pem"), chain.get(chain.size() - 1));
        Path leaf = Files.writeString(dir.resolve("leaf.pem"), chain.get(0));
        List<String> command = new ArrayList<>(List.of("openssl", "verify", "-CAfile", root.toString()));
        if (chain.size() > 2) {
            Path untrusted = Files.writeString(dir.resolve("intermediates.pem"), String.join("", chain.subList(1, chain.size() - 1)));
            command.addAll(List.of("-untrusted", untrusted.toString()));
        }
        command.add(leaf.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("openssl verify failed: " + command + "\n" + output);
        }
        return output;
    }
}
