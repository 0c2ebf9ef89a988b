package dev.mesh.telemetry.traces;

import dev.mesh.telemetry.model.RequestRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent spans, in a ring of fixed capacity (the oldest are overwritten), queried by trace id, by
 * service, or newest first. Queries scan the ring: at the default 10,000 spans that is well under a
 * millisecond, and it keeps writes at one array store.
 */
public final class TraceStore {

    /** The spans of one trace held in the ring, in start order. */
    public record Trace(String traceId, List<RequestRecord> spans) {

        public long startEpochNanos() {
            return spans.get(0).startEpochNanos();
        }

        public long endEpochNanos() {
            return spans.stream().mapToLong(s -> s.startEpochNanos() + s.durationNanos()).max().orElse(0);
        }

        public boolean hasError() {
            return spans.stream().anyMatch(RequestRecord::isError);
        }
    }

    private final RequestRecord[] ring;
    private long written;

    public TraceStore(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("the trace capacity must be positive, got " + capacity);
        }
        ring = new RequestRecord[capacity];
    }

    public synchronized void addAll(List<RequestRecord> records) {
        for (RequestRecord record : records) {
            ring[(int) (written++ % ring.length)] = record;
        }
    }

    public synchronized int size() {
        return (int) Math.min(written, ring.length);
    }

    /** The trace with this id (lower-case hex), or an empty trace when none of its spans is held. */
    public Trace byId(String traceId) {
        List<RequestRecord> spans = new ArrayList<>();
        for (RequestRecord record : newestFirst()) {
            if (record.traceId().equals(traceId)) {
                spans.add(record);
            }
        }
        spans.sort(Comparator.comparingLong(RequestRecord::startEpochNanos));
        return new Trace(traceId, spans);
    }

    /**
     * Up to {@code limit} traces, the most recently received first; with a service, only traces with a span whose
     * destination is that service: its host name, its short name, or the destination app.
     */
    public List<Trace> recent(String service, int limit) {
        Map<String, List<RequestRecord>> byTrace = new LinkedHashMap<>();
        List<RequestRecord> all = newestFirst();
        for (RequestRecord record : all) {
            if (byTrace.size() >= limit && !byTrace.containsKey(record.traceId())) {
                continue;
            }
            if (service == null || matches(record, service) || byTrace.containsKey(record.traceId())) {
                byTrace.computeIfAbsent(record.traceId(), k -> new ArrayList<>());
            }
        }
        for (RequestRecord record : all) {
            List<RequestRecord> spans = byTrace.get(record.traceId());
            if (spans != null) {
                spans.add(record);
            }
        }
        List<Trace> traces = new ArrayList<>(byTrace.size());
        byTrace.forEach((id, spans) -> {
            spans.sort(Comparator.comparingLong(RequestRecord::startEpochNanos));
            traces.add(new Trace(id, spans));
        });
        return traces;
    }

    private static boolean matches(RequestRecord record, String service) {
        return service.equals(record.destinationService()) || service.equals(record.destinationServiceName())
                || service.equals(record.destination().app());
    }

    private synchronized List<RequestRecord> newestFirst() {
        int size = size();
        List<RequestRecord> list = new ArrayList<>(size);
        for (long i = written - 1; i >= written - size; i--) {
            list.add(ring[(int) (i % ring.length)]);
        }
        return list;
    }
}
