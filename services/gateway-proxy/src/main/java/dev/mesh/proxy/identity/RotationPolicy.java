package dev.mesh.proxy.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When a certificate is renewed: when {@code gracePeriodRatio} (± {@code jitter}) of its lifetime is left, as
 * Istio's agent does (0.5: at half life).
 */
public record RotationPolicy(Duration ttl, double gracePeriodRatio, double jitter) {

    public RotationPolicy {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("certificate TTL " + ttl + " must be positive");
        }
        if (!(gracePeriodRatio > 0 && gracePeriodRatio < 1)) {
            throw new IllegalArgumentException("grace period ratio " + gracePeriodRatio + " must be between 0 and 1");
        }
        if (!(jitter >= 0 && jitter < Math.min(gracePeriodRatio, 1 - gracePeriodRatio))) {
            throw new IllegalArgumentException("grace period ratio jitter " + jitter
                    + " must be at least 0 and less than the ratio's distance to 0 and to 1");
        }
    }

    /** The instant to renew a certificate valid from {@code notBefore} to {@code notAfter}. */
    public Instant renewAt(Instant notBefore, Instant notAfter, RandomGenerator random) {
        double ratio = gracePeriodRatio + (jitter == 0 ? 0 : (random.nextDouble() * 2 - 1) * jitter);
        long lifetimeMillis = Duration.between(notBefore, notAfter).toMillis();
        return notAfter.minusMillis(Math.round(lifetimeMillis * ratio));
    }
}
