package dev.mesh.telemetry;

import dev.mesh.telemetry.aggregate.Aggregator;
import dev.mesh.telemetry.config.TelemetryConfig;
import dev.mesh.telemetry.metrics.IngestMetrics;
import dev.mesh.telemetry.metrics.RequestMetrics;
import dev.mesh.telemetry.model.RecordBatch;
import dev.mesh.telemetry.traces.TraceStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Wires the consuming side: what the aggregator consumer does with each batch (windows, traces, metrics). The
 * work is in the plain classes it holds.
 */
@Singleton
public class TelemetryMain {

    private final Aggregator aggregator;
    private final TraceStore traces;
    private final RequestMetrics requestMetrics;
    private final IngestMetrics ingestMetrics;

    TelemetryMain(TelemetryConfig config, Clock clock, MeterRegistry registry) {
        aggregator = new Aggregator(clock, config.bucket(), config.retention(), config.maxEdges());
        traces = new TraceStore(config.traceCapacity());
        requestMetrics = new RequestMetrics(registry, clock, config.retention());
        ingestMetrics = new IngestMetrics(registry);
        Gauge.builder("telemetry_graph_edges", aggregator, Aggregator::liveEdgeCount)
                .description("Distinct edges held in the sliding windows").register(registry);
        Gauge.builder("telemetry_records_aggregated", aggregator, Aggregator::aggregated)
                .description("Records aggregated by this replica since it started").register(registry);
    }

    /** One batch from the channel: into the windows, the trace ring and the Prometheus series. */
    public void ingest(RecordBatch batch) {
        int dropped = aggregator.add(batch.records());
        if (dropped > 0) {
            ingestMetrics.dropped(dropped);
        }
        traces.addAll(batch.records());
        requestMetrics.record(batch.records());
    }

    public Aggregator aggregator() {
        return aggregator;
    }

    public TraceStore traces() {
        return traces;
    }

    public IngestMetrics ingestMetrics() {
        return ingestMetrics;
    }
}
