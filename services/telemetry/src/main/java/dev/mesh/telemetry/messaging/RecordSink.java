package dev.mesh.telemetry.messaging;

import dev.mesh.telemetry.model.RecordBatch;
import java.util.concurrent.CompletionStage;

/** Where the receiver hands decoded records: the messaging channel towards the aggregator. */
public interface RecordSink {

    /**
     * Publishes one batch. The stage completes when the transport has taken the batch (the in-memory consumer
     * has aggregated it, or the Kafka broker has acknowledged it).
     *
     * @throws IngestQueueFullException when the channel's buffer is full; nothing of the batch was taken
     */
    CompletionStage<Void> publish(RecordBatch batch);

    /** The channel's bounded buffer is full: the caller should retry later. */
    final class IngestQueueFullException extends RuntimeException {

        public IngestQueueFullException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
