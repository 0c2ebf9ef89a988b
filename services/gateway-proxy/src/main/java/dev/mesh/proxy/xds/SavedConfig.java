package dev.mesh.proxy.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The last acknowledged config on local disk: one length-delimited DiscoveryResponse per type, written to a
 * temporary file and renamed over the old one, so a crash mid-write leaves the previous file intact.
 */
public final class SavedConfig {

    private final Path path;

    public SavedConfig(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public void save(XdsState state) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            for (String type : XdsState.TYPES) {
                XdsState.Accepted a = state.accepted(type);
                if (a != null) {
                    DiscoveryResponse.newBuilder().setTypeUrl(type).setVersionInfo(a.version())
                            .addAllResources(a.resources()).build().writeDelimitedTo(out);
                }
            }
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The saved responses in replay order; empty when there is no saved file. */
    public List<DiscoveryResponse> load() throws IOException {
        List<DiscoveryResponse> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(path)) {
            DiscoveryResponse r;
            while ((r = DiscoveryResponse.parseDelimitedFrom(in)) != null) {
                out.add(r);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return out;
    }

    static List<Any> resources(DiscoveryResponse r) {
        return r.getResourcesList();
    }
}
