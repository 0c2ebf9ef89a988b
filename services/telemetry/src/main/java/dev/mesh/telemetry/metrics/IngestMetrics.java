package dev.mesh.telemetry.metrics;

import dev.mesh.telemetry.otlp.SpanDecoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** Counters of the receiver: spans received, rejected (by reason), and records dropped for lack of room. */
public final class IngestMetrics {

    private final Counter received;
    private final Counter dropped;
    private final Map<SpanDecoder.Reason, Counter> rejected = new EnumMap<>(SpanDecoder.Reason.class);

    public IngestMetrics(MeterRegistry registry) {
        received = Counter.builder("telemetry_spans_received")
                .description("Spans received by the OTLP receiver, rejected ones included").register(registry);
        dropped = Counter.builder("telemetry_records_dropped")
                .description("Decoded records not aggregated because the channel to the aggregator was full or failed")
                .register(registry);
        for (SpanDecoder.Reason reason : SpanDecoder.Reason.values()) {
            rejected.put(reason, Counter.builder("telemetry_spans_rejected")
                    .description("Spans refused by the receiver, by reason").tag("reason", reason.label())
                    .register(registry));
        }
    }

    public void received(int spans) {
        received.increment(spans);
    }

    public void rejected(SpanDecoder.Rejection rejection) {
        rejected.get(rejection.reason()).increment();
    }

    public void dropped(int records) {
        dropped.increment(records);
    }

    public double rejectedCount(SpanDecoder.Reason reason) {
        return rejected.get(reason).count();
    }

    public double droppedCount() {
        return dropped.count();
    }
}
