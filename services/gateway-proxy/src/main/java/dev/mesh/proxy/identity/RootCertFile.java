package dev.mesh.proxy.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The mesh root certificate(s) as mounted from the {@code istio-ca-root-cert} ConfigMap. */
public final class RootCertFile {

    private final Path path;

    public RootCertFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /**
     * The file's PEM text, checked to hold at least one certificate.
     *
     * @throws IOException              the file cannot be read (not mounted yet)
     * @throws IllegalArgumentException the file holds no valid certificate
     */
    public String read() throws IOException {
        String pem = Files.readString(path, StandardCharsets.US_ASCII);
        Pem.certificates(pem, "root certificate file " + path);
        return pem;
    }
}
