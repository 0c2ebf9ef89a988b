package dev.mesh.distributor.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.distributor.model.MeshSnapshot;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeshIndexTest {

    private final MeshIndex index = new MeshIndex(MeshSnapshot.EMPTY, "cluster.local", "istio-system");

    @Test
    void memoInsideMemo_computesBoth() {
        // Many nested keys, so that some share a hash bin with their parent (where computeIfAbsent fails).
        for (int i = 0; i < 1_000; i++) {
            int n = i;
            String outer = index.memo("outer-" + n, () -> "o" + index.memo("inner-" + n, () -> "i" + n));
            assertThat(outer).isEqualTo("oi" + n);
        }
    }

    @Test
    void memo_computesOncePerKey() {
        AtomicInteger calls = new AtomicInteger();

        index.memo("k", calls::incrementAndGet);
        Object second = index.memo("k", calls::incrementAndGet);

        assertThat(second).isEqualTo(1);
        assertThat(calls).hasValue(1);
    }
}
