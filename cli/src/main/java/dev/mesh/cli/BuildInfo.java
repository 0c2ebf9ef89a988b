package dev.mesh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What this build of meshctl is: read from {@code build.properties}, which Maven fills in. */
public final class BuildInfo {

    private static final String RESOURCE = "/dev/mesh/cli/build.properties";

    private BuildInfo() {
    }

    /** The project version meshctl was built as, for instance {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        Properties props = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the meshctl jar");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return props.getProperty("version", "unknown");
    }
}
