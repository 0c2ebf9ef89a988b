package dev.mesh.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One local cluster (API server and controllers, no kubelet) shared by the test classes of this
 * module, started on first use and closed when the test JVM exits; tests use their own namespaces.
 */
public final class TestCluster {

    private static LocalCluster cluster;

    private TestCluster() {
    }

    public static synchronized LocalCluster get() {
        if (cluster == null) {
            try {
                Path dir = Files.createTempDirectory("local-cluster-test");
                cluster = LocalCluster.start(dir);
                Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "test-cluster-shutdown"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cluster;
    }
}
