package dev.mesh.injector.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.injection.InjectionTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateFileTest {

    @TempDir
    Path dir;

    private static void write(Path file, String text, long second) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(second)));
    }

    @Test
    void missingFile_givesTheDefaults() {
        TemplateFile t = new TemplateFile(dir.resolve("values.yaml"));
        t.refresh();
        assertThat(t.current()).isEqualTo(InjectionTemplate.defaults());
    }

    @Test
    void changedFile_isReadAgain() throws Exception {
        Path file = dir.resolve("values.yaml");
        write(file, "proxyImage: a:1\n", 1000);
        TemplateFile t = new TemplateFile(file);
        assertThat(t.refresh()).isTrue();
        assertThat(t.current().proxyImage()).isEqualTo("a:1");
        assertThat(t.refresh()).as("unchanged file").isFalse();
        write(file, "proxyImage: b:2\n", 2000);
        assertThat(t.refresh()).isTrue();
        assertThat(t.current().proxyImage()).isEqualTo("b:2");
    }

    @Test
    void invalidFile_keepsTheLastGoodValues() throws Exception {
        Path file = dir.resolve("values.yaml");
        write(file, "nativeSidecar: true\n", 1000);
        TemplateFile t = new TemplateFile(file);
        t.refresh();
        write(file, "nativeSidecar: sometimes\n", 2000);
        assertThat(t.refresh()).isFalse();
        assertThat(t.current().nativeSidecar()).isTrue();
    }

    @Test
    void configMapSymlinkSwap_isSeen() throws Exception {
        // The kubelet updates a mounted ConfigMap by re-pointing ..data at a new directory.
        Path v1 = Files.createDirectories(dir.resolve("..v1"));
        Path v2 = Files.createDirectories(dir.resolve("..v2"));
        write(v1.resolve("values.yaml"), "trustDomain: one.example\n", 1000);
        write(v2.resolve("values.yaml"), "trustDomain: two.example\n", 1000);
        Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("values.yaml"), Path.of("..data/values.yaml"));
        TemplateFile t = new TemplateFile(file);
        t.refresh();
        assertThat(t.current().trustDomain()).isEqualTo("one.example");
        Files.delete(data);
        Files.createSymbolicLink(dir.resolve("..data"), v2.getFileName());
        assertThat(t.refresh()).isTrue();
        assertThat(t.current().trustDomain()).isEqualTo("two.example");
    }
}
