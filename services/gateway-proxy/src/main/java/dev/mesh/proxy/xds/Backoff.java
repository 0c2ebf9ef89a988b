package dev.mesh.proxy.xds;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial * 2^n)]. */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    public Duration next() {
        long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt, 20));
        attempt++;
        return Duration.ofMillis(random.nextLong(Math.max(1, ceiling) + 1));
    }

    public void reset() {
        attempt = 0;
    }
}
