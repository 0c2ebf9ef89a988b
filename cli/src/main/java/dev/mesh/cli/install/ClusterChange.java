package dev.mesh.cli.install;

import dev.mesh.cli.ExitCodes;
import dev.mesh.cli.kube.KubeErrors;
import dev.mesh.cli.kube.KubeOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * What install and uninstall share around their work: asking before changing a cluster (unless {@code -y}), and
 * turning each way the change can fail into one {@code ✘ <what> failed: <why>} line and an exit code.
 */
public final class ClusterChange {

    /** The change itself, given a client for the chosen cluster. */
    @FunctionalInterface
    public interface Work {
        void run(KubernetesClient client) throws InterruptedException;
    }

    private ClusterChange() {
    }

    /** Prints {@code question} and reads y/yes from standard input; anything else (or end of input) is no. */
    public static boolean confirmed(PrintWriter out, String question) throws IOException {
        out.print(question + " Proceed? (y/N) ");
        out.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        boolean yes = answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
        if (!yes) {
            out.println("Cancelled.");
        }
        return yes;
    }

    /** Runs {@code work} against the cluster; returns the exit code. {@code what} names it in a failure. */
    public static int run(KubeOptions kube, PrintWriter out, PrintWriter err, String what, Work work)
            throws InterruptedException {
        try (KubernetesClient client = kube.client()) {
            try {
                work.run(client);
                return ExitCodes.OK;
            } catch (KubernetesClientException e) {
                out.flush();
                err.println("✘ " + what + " failed: cluster " + client.getMasterUrl() + ": " + KubeErrors.describe(e));
                return ExitCodes.UNKNOWN_ERROR;
            }
        } catch (Installer.InstallException | IllegalArgumentException e) {
            out.flush();
            err.println("✘ " + what + " failed: " + e.getMessage());
            return ExitCodes.UNKNOWN_ERROR;
        }
    }
}
