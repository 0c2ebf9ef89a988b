package dev.mesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmptyDocumentsTest {

    @Test
    void emptyDocumentsBetweenSeparators_areSkippedAsKubectlDoes() {
        Manifests read = ManifestReader.read("x.yaml", """
                ---
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: demo}
                ---
                ---
                """);
        assertThat(read.readProblems()).isEmpty();
        assertThat(read.resources()).hasSize(1);
    }
}
