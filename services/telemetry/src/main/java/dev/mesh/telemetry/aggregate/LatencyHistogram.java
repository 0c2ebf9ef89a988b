package dev.mesh.telemetry.aggregate;

/**
 * Response times in geometric bins (each 25 % wider than the last, from 10 µs to about 100 s), so percentiles
 * cost a fixed 73 counters however many requests there are, within half a bin (about 12 %) of the truth.
 */
public final class LatencyHistogram {

    static final double FIRST_BOUND_MICROS = 10;
    static final double GROWTH = 1.25;
    static final int BINS = 73;
    private static final double LOG_GROWTH = Math.log(GROWTH);

    private final int[] counts = new int[BINS];
    private long total;
    private double sumMillis;

    public void add(long durationNanos) {
        double micros = durationNanos / 1_000.0;
        counts[bin(micros)]++;
        total++;
        sumMillis += durationNanos / 1_000_000.0;
    }

    public void merge(LatencyHistogram other) {
        for (int i = 0; i < BINS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sumMillis += other.sumMillis;
    }

    public long count() {
        return total;
    }

    public double averageMillis() {
        return total == 0 ? 0 : sumMillis / total;
    }

    /** The {@code quantile} (0 to 1) in milliseconds: the geometric middle of the bin it falls in. */
    public double percentileMillis(double quantile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < BINS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return middleMicros(i) / 1_000.0;
            }
        }
        return middleMicros(BINS - 1) / 1_000.0;
    }

    static int bin(double micros) {
        if (micros <= FIRST_BOUND_MICROS) {
            return 0;
        }
        int bin = 1 + (int) (Math.log(micros / FIRST_BOUND_MICROS) / LOG_GROWTH);
        return Math.min(bin, BINS - 1);
    }

    private static double middleMicros(int bin) {
        if (bin == 0) {
            return FIRST_BOUND_MICROS / 2;
        }
        double lower = FIRST_BOUND_MICROS * Math.pow(GROWTH, bin - 1);
        return lower * Math.sqrt(GROWTH);
    }
}
