package dev.mesh.telemetry.messaging;

import dev.mesh.telemetry.config.TelemetryConfig;
import dev.mesh.telemetry.model.RecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * The receiver's end of the SmallRye Reactive Messaging channel: the in-memory channel {@value #MEMORY}, or the
 * Kafka channel {@value #KAFKA_OUT} when {@code mesh.telemetry.kafka-enabled} (the other is then disabled in
 * configuration). Both buffer at most {@value #BUFFER_BATCHES} batches; past that publishing fails at once, so
 * a slow aggregator or broker pushes back on the exporters instead of growing the heap.
 */
@ApplicationScoped
public class RecordChannels implements RecordSink {

    public static final String MEMORY = "records";
    public static final String KAFKA_OUT = "records-kafka-out";
    public static final String KAFKA_IN = "records-kafka-in";
    static final int BUFFER_BATCHES = 1024;

    private final Emitter<RecordBatch> emitter;

    RecordChannels(TelemetryConfig config,
            @Channel(MEMORY) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = BUFFER_BATCHES)
            Emitter<RecordBatch> memory,
            @Channel(KAFKA_OUT) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = BUFFER_BATCHES)
            Emitter<RecordBatch> kafka) {
        this.emitter = config.kafkaEnabled() ? kafka : memory;
    }

    @Override
    public CompletionStage<Void> publish(RecordBatch batch) {
        try {
            return emitter.send(batch);
        } catch (IllegalStateException e) {
            throw new IngestQueueFullException("the telemetry ingest buffer is full (" + BUFFER_BATCHES
                    + " batches waiting for the aggregator); retry later", e);
        }
    }
}
