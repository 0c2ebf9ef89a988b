package dev.mesh.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delays_growExponentiallyWithJitter_capAtMax_andReset() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(3));
        long[] ceilings = {100, 200, 400, 800, 1600, 2000, 2000};
        for (long ceiling : ceilings) {
            assertThat(b.next().toMillis()).isBetween(0L, ceiling);
        }
        long max = 0;
        for (int i = 0; i < 200; i++) {
            max = Math.max(max, b.next().toMillis());
        }
        assertThat(max).isBetween(1500L, 2000L);
        b.reset();
        assertThat(b.next().toMillis()).isBetween(0L, 100L);
    }
}
