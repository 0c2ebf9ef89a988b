package dev.mesh.telemetry.aggregate;

import dev.mesh.telemetry.model.RequestRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Request records into sliding windows: time buckets of a fixed width (by arrival time on the injected clock),
 * each holding per-edge statistics; a query merges the buckets of the last {@code duration}. Memory is bounded:
 * buckets older than the retention are dropped on every call, and at most {@code maxEdges} distinct edges are
 * held (records of further new edges are counted as dropped until old ones expire).
 *
 * <p>All state is guarded by this object's monitor: one short critical section per batch or query.
 */
public final class Aggregator {

    /** The merged statistics of every edge seen in a window, and the window's length. */
    public record Snapshot(Map<EdgeKey, EdgeStats> edges, Duration window, long atMillis) {
    }

    private record Bucket(long startMillis, Map<EdgeKey, EdgeStats> edges) {
    }

    private final Clock clock;
    private final long widthMillis;
    private final long retentionMillis;
    private final int maxEdges;
    private final ArrayDeque<Bucket> buckets = new ArrayDeque<>();
    /** Every edge held in some bucket → start of the newest bucket it is in. */
    private final Map<EdgeKey, Long> liveEdges = new HashMap<>();
    private long aggregated;
    private long droppedForEdgeLimit;

    public Aggregator(Clock clock, Duration bucketWidth, Duration retention, int maxEdges) {
        if (bucketWidth.toMillis() <= 0) {
            throw new IllegalArgumentException("the bucket width must be positive, got " + bucketWidth);
        }
        if (retention.compareTo(bucketWidth) < 0) {
            throw new IllegalArgumentException(
                    "the retention (" + retention + ") must be at least one bucket (" + bucketWidth + ")");
        }
        if (maxEdges <= 0) {
            throw new IllegalArgumentException("max edges must be positive, got " + maxEdges);
        }
        this.clock = clock;
        this.widthMillis = bucketWidth.toMillis();
        this.retentionMillis = retention.toMillis();
        this.maxEdges = maxEdges;
    }

    /** Adds records; returns how many were dropped because the edge limit was reached. */
    public synchronized int add(List<RequestRecord> records) {
        long now = clock.millis();
        expire(now);
        Bucket bucket = current(now);
        int dropped = 0;
        for (RequestRecord record : records) {
            EdgeKey key = EdgeKey.of(record);
            if (liveEdges.put(key, bucket.startMillis) == null && liveEdges.size() > maxEdges) {
                liveEdges.remove(key);
                dropped++;
                continue;
            }
            bucket.edges.computeIfAbsent(key, k -> new EdgeStats()).add(record);
        }
        aggregated += records.size() - dropped;
        droppedForEdgeLimit += dropped;
        return dropped;
    }

    /** The edges of the last {@code window} (whole buckets that overlap it), merged per edge. */
    public synchronized Snapshot snapshot(Duration window) {
        long now = clock.millis();
        expire(now);
        long from = now - window.toMillis();
        Map<EdgeKey, EdgeStats> merged = new HashMap<>();
        for (Bucket bucket : buckets) {
            if (bucket.startMillis + widthMillis <= from) {
                continue;
            }
            bucket.edges.forEach((key, stats) -> merged.computeIfAbsent(key, k -> new EdgeStats()).merge(stats));
        }
        return new Snapshot(merged, window, now);
    }

    /** Records aggregated since start. */
    public synchronized long aggregated() {
        return aggregated;
    }

    public synchronized long droppedForEdgeLimit() {
        return droppedForEdgeLimit;
    }

    public synchronized int liveEdgeCount() {
        return liveEdges.size();
    }

    public synchronized int bucketCount() {
        return buckets.size();
    }

    public Duration retention() {
        return Duration.ofMillis(retentionMillis);
    }

    private Bucket current(long now) {
        long start = now - Math.floorMod(now, widthMillis);
        Bucket last = buckets.peekLast();
        if (last != null && last.startMillis >= start) {
            return last; // same bucket, or the clock stepped back: keep adding to the newest
        }
        Bucket bucket = new Bucket(start, new HashMap<>());
        buckets.addLast(bucket);
        return bucket;
    }

    private void expire(long now) {
        long oldestKept = now - retentionMillis;
        boolean removed = false;
        while (!buckets.isEmpty() && buckets.peekFirst().startMillis + widthMillis <= oldestKept) {
            buckets.removeFirst();
            removed = true;
        }
        if (removed) {
            long firstStart = buckets.isEmpty() ? Long.MAX_VALUE : buckets.peekFirst().startMillis;
            for (Iterator<Long> it = liveEdges.values().iterator(); it.hasNext(); ) {
                if (it.next() < firstStart) {
                    it.remove();
                }
            }
        }
    }
}
