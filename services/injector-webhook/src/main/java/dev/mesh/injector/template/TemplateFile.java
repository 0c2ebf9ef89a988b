package dev.mesh.injector.template;

import dev.mesh.injection.InjectionTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.jboss.logging.Logger;

/**
 * The injection values from a file mounted from a ConfigMap. {@link #refresh()} (called periodically) reads it
 * again when its modification time or size changed; the kubelet swaps ConfigMap files through a symlink, which
 * the attributes follow. A file that does not parse keeps the last good values (and is logged) rather than
 * breaking injection; a missing file means the built-in defaults.
 */
public final class TemplateFile implements TemplateSource {

    private static final Logger LOG = Logger.getLogger(TemplateFile.class);

    private final Path path;
    private volatile InjectionTemplate current = InjectionTemplate.defaults();
    private String seen = "";

    public TemplateFile(Path path) {
        this.path = path;
    }

    @Override
    public InjectionTemplate current() {
        return current;
    }

    /** Reads the file if it changed since the last call; true if the values in force changed. */
    public synchronized boolean refresh() {
        String stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            stamp = a.lastModifiedTime() + "/" + a.size() + "/" + a.fileKey();
        } catch (NoSuchFileException e) {
            stamp = "missing";
        } catch (IOException e) {
            LOG.errorf("cannot read injection values %s: %s; keeping the values in force", path, e.getMessage());
            return false;
        }
        if (stamp.equals(seen)) {
            return false;
        }
        seen = stamp;
        InjectionTemplate next;
        if (stamp.equals("missing")) {
            LOG.infof("injection values %s not found: using the built-in defaults", path);
            next = InjectionTemplate.defaults();
        } else {
            try {
                next = InjectionTemplate.parse(Files.readString(path));
                LOG.infof("injection values read from %s", path);
            } catch (IOException | InjectionTemplate.InvalidTemplateException e) {
                LOG.errorf("injection values %s not used: %s; keeping the values in force", path, e.getMessage());
                return false;
            }
        }
        boolean changed = !next.equals(current);
        current = next;
        return changed;
    }
}
