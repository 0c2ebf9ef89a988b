package dev.mesh.telemetry.messaging;

import dev.mesh.telemetry.model.RecordBatch;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** Kafka value deserializer of the records topic (JSON, as {@code ObjectMapperSerializer} writes it). */
public class RecordBatchDeserializer extends ObjectMapperDeserializer<RecordBatch> {

    public RecordBatchDeserializer() {
        super(RecordBatch.class);
    }
}
