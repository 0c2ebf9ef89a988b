package dev.mesh.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.telemetry.Spans;
import dev.mesh.telemetry.messaging.RecordSink;
import dev.mesh.telemetry.metrics.IngestMetrics;
import dev.mesh.telemetry.model.RecordBatch;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** What the receiver answers when the channel to the aggregator cannot take a batch. */
class OtlpTraceServiceTest {

    private final IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());

    private static final class Answer implements StreamObserver<ExportTraceServiceResponse> {
        final List<ExportTraceServiceResponse> responses = new ArrayList<>();
        Throwable error;
        boolean completed;

        @Override
        public void onNext(ExportTraceServiceResponse value) {
            responses.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }

    private Answer export(RecordSink sink, int spans) {
        List<io.opentelemetry.proto.trace.v1.Span> list = new ArrayList<>();
        for (int i = 0; i < spans; i++) {
            list.add(Spans.gatewayToPodinfo("istio-system", "demo", "v1", 200, 1).build());
        }
        Answer answer = new Answer();
        new OtlpTraceService(sink, metrics).export(Spans.request(list), answer);
        return answer;
    }

    @Test
    void fullChannel_isAnsweredUnavailable_andTheRecordsCountedAsDropped() {
        Answer answer = export(batch -> {
            throw new RecordSink.IngestQueueFullException("the telemetry ingest buffer is full", null);
        }, 3);
        assertThat(Status.fromThrowable(answer.error).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(Status.fromThrowable(answer.error).getDescription()).contains("buffer is full");
        assertThat(metrics.droppedCount()).isEqualTo(3);
    }

    @Test
    void failedHandOver_isAnsweredUnavailable() {
        Answer answer = export(batch -> CompletableFuture.failedFuture(new IllegalStateException("broker down")), 2);
        assertThat(Status.fromThrowable(answer.error).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(Status.fromThrowable(answer.error).getDescription()).endsWith("broker down");
        assertThat(metrics.droppedCount()).isEqualTo(2);
    }

    @Test
    void answer_waitsUntilTheTransportHasTakenTheBatch() {
        CompletableFuture<Void> taken = new CompletableFuture<>();
        List<RecordBatch> published = new ArrayList<>();
        Answer answer = export(new RecordSink() {
            @Override
            public CompletionStage<Void> publish(RecordBatch batch) {
                published.add(batch);
                return taken;
            }
        }, 4);
        assertThat(published).hasSize(1);
        assertThat(published.get(0).records()).hasSize(4);
        assertThat(answer.completed).isFalse();
        taken.complete(null);
        assertThat(answer.completed).isTrue();
        assertThat(answer.responses).containsExactly(ExportTraceServiceResponse.getDefaultInstance());
    }
}
