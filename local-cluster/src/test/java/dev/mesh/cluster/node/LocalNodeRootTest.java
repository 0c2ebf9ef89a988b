package dev.mesh.cluster.node;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LocalNodeRootTest {

    @Test
    void withoutRoot_theNodeSaysWhyAndWhatToRun() {
        assertThatThrownBy(() -> LocalNode.requireRoot(1000))
                .isInstanceOf(LocalNode.NeedsRootException.class)
                .hasMessageContaining("network namespace")
                .hasMessageContaining("needs root")
                .hasMessageContaining("uid 1000")
                .hasMessageEndingWith("sudo ./mesh demo");
        assertThatCode(() -> LocalNode.requireRoot(0)).doesNotThrowAnyException();
    }
}
