package dev.mesh.cluster.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Copies what an image runs to a world-readable directory: the sidecar runs as uid 1337, which cannot read a
 * checkout under {@code /root}. A copy is made once and kept while its source's jar is unchanged (like a pulled
 * image), under {@code <runDir>/images/<source directory's hash>}.
 */
final class ImageStage {

    private final Path imagesDir;
    private final Map<Path, Path> staged = new HashMap<>();

    ImageStage(Path runDir) {
        this.imagesDir = runDir.resolve("images");
    }

    /** The staged copy of {@code runnable}'s jar. */
    synchronized Path stage(ImageCatalog.Runnable.Java runnable) throws IOException {
        Path source = runnable.appDir().toAbsolutePath().normalize();
        Path jar = source.resolve(runnable.jarName());
        FileTime modified = Files.getLastModifiedTime(jar);
        Path target = imagesDir.resolve(source.getFileName() + "-" + Integer.toHexString(source.hashCode()));
        Path stamp = target.resolve(".stamp");
        String want = runnable.jarName() + " " + modified.toMillis() + " " + Files.size(jar);
        if (target.equals(staged.get(source)) && Files.exists(stamp) && Files.readString(stamp).equals(want)) {
            return target.resolve(runnable.jarName());
        }
        if (!(Files.exists(stamp) && Files.readString(stamp).equals(want))) {
            NodeNetwork.deleteTree(target);
            Files.createDirectories(target);
            if (runnable.jarName().equals("quarkus-run.jar")) {
                copyTree(source, target);
            } else {
                Files.copy(jar, target.resolve(runnable.jarName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
            Files.writeString(stamp, want);
        }
        readable(imagesDir.getParent());
        readable(imagesDir);
        try (Stream<Path> walk = Files.walk(target)) {
            for (Path p : walk.toList()) {
                readable(p);
            }
        }
        staged.put(source, target);
        return target.resolve(runnable.jarName());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void readable(Path p) throws IOException {
        PodVolumes.open(p, Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--");
    }
}
