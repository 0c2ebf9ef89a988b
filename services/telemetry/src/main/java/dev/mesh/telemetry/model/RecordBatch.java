package dev.mesh.telemetry.model;

import java.util.List;

/**
 * The records of one OTLP export request: the unit carried by the messaging channel (one Kafka record), so
 * that a batch costs one message however many spans it holds.
 */
public record RecordBatch(List<RequestRecord> records) {

    public RecordBatch {
        records = List.copyOf(records);
    }
}
