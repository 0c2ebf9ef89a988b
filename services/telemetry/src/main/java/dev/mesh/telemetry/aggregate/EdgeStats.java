package dev.mesh.telemetry.aggregate;

import dev.mesh.telemetry.model.RequestRecord;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one edge did in some time: requests by response class, errors, response codes with their flags, mTLS
 * share, bytes and response times. Mutable accumulator: only the aggregator's lock guards it; snapshots hand out
 * fresh merged copies.
 */
public final class EdgeStats {

    private long requests;
    private long errors;
    private long mutualTls;
    private long requestBytes;
    private long responseBytes;
    /** Index 0: no response (code 0); 1 to 5: 1xx to 5xx. */
    private final long[] byClass = new long[6];
    /** Response code (HTTP, or gRPC status for gRPC) → response flags → count. */
    private final Map<String, Map<String, Long>> responses = new TreeMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();

    void add(RequestRecord record) {
        requests++;
        if (record.isError()) {
            errors++;
        }
        if (record.mutualTls()) {
            mutualTls++;
        }
        requestBytes += record.requestBytes();
        responseBytes += record.responseBytes();
        int code = record.responseCode();
        byClass[code == 0 ? 0 : Math.min(5, Math.max(1, code / 100))]++;
        String responseKey = "grpc".equals(record.protocol()) && record.grpcStatus() >= 0
                ? Integer.toString(record.grpcStatus()) : Integer.toString(code);
        responses.computeIfAbsent(responseKey, k -> new TreeMap<>()).merge(record.responseFlags(), 1L, Long::sum);
        latency.add(record.durationNanos());
    }

    public void merge(EdgeStats other) {
        requests += other.requests;
        errors += other.errors;
        mutualTls += other.mutualTls;
        requestBytes += other.requestBytes;
        responseBytes += other.responseBytes;
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] += other.byClass[i];
        }
        other.responses.forEach((code, flags) -> {
            Map<String, Long> mine = responses.computeIfAbsent(code, k -> new TreeMap<>());
            flags.forEach((flag, count) -> mine.merge(flag, count, Long::sum));
        });
        latency.merge(other.latency);
    }

    public EdgeStats copy() {
        EdgeStats copy = new EdgeStats();
        copy.merge(this);
        return copy;
    }

    public long requests() {
        return requests;
    }

    public long errors() {
        return errors;
    }

    public long mutualTls() {
        return mutualTls;
    }

    public long requestBytes() {
        return requestBytes;
    }

    public long responseBytes() {
        return responseBytes;
    }

    /** Requests whose code was in class {@code hundreds} (3 for 3xx, …); 0 counts those with no response. */
    public long withCodeClass(int hundreds) {
        return byClass[hundreds];
    }

    public Map<String, Map<String, Long>> responses() {
        return responses;
    }

    public LatencyHistogram latency() {
        return latency;
    }
}
