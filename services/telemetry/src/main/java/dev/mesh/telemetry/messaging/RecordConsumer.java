package dev.mesh.telemetry.messaging;

import dev.mesh.telemetry.TelemetryMain;
import dev.mesh.telemetry.model.RecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** The aggregator's end of the channel: whichever transport is enabled delivers here. */
@ApplicationScoped
public class RecordConsumer {

    private final TelemetryMain main;

    RecordConsumer(TelemetryMain main) {
        this.main = main;
    }

    @Incoming(RecordChannels.MEMORY)
    void fromMemory(RecordBatch batch) {
        main.ingest(batch);
    }

    @Incoming(RecordChannels.KAFKA_IN)
    void fromKafka(RecordBatch batch) {
        main.ingest(batch);
    }
}
