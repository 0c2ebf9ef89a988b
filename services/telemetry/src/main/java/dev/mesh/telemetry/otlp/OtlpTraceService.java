package dev.mesh.telemetry.otlp;

import dev.mesh.telemetry.messaging.RecordSink;
import dev.mesh.telemetry.metrics.IngestMetrics;
import dev.mesh.telemetry.model.RecordBatch;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * OTLP {@code TraceService/Export}: decodes the spans, publishes the good ones as one batch, and answers with
 * {@code partial_success} naming what was rejected. A full channel answers UNAVAILABLE, which OTLP exporters
 * retry with backoff; nothing a client sends can stop the receiver.
 */
public final class OtlpTraceService extends TraceServiceGrpc.TraceServiceImplBase {

    private static final Logger LOG = Logger.getLogger(OtlpTraceService.class);
    /** How many rejections the partial_success message spells out; the count covers all of them. */
    static final int REJECTIONS_IN_MESSAGE = 5;

    private final RecordSink sink;
    private final IngestMetrics metrics;

    public OtlpTraceService(RecordSink sink, IngestMetrics metrics) {
        this.sink = sink;
        this.metrics = metrics;
    }

    @Override
    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
        SpanDecoder.Result result;
        try {
            result = SpanDecoder.decode(request);
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not decode an OTLP export request");
            response.onError(Status.INTERNAL.withDescription("could not decode the request: " + e).asRuntimeException());
            return;
        }
        metrics.received(result.records().size() + result.rejections().size());
        result.rejections().forEach(metrics::rejected);
        ExportTraceServiceResponse answer = answer(result.rejections());
        if (result.records().isEmpty()) {
            complete(response, answer);
            return;
        }
        int count = result.records().size();
        try {
            sink.publish(new RecordBatch(result.records())).whenComplete((ok, failure) -> {
                if (failure == null) {
                    complete(response, answer);
                } else {
                    metrics.dropped(count);
                    LOG.debugf(failure, "%d records not aggregated", count);
                    response.onError(Status.UNAVAILABLE.withDescription(
                            "the records could not be handed to the aggregator: " + failure.getMessage())
                            .asRuntimeException());
                }
            });
        } catch (RecordSink.IngestQueueFullException e) {
            metrics.dropped(count);
            response.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    static ExportTraceServiceResponse answer(List<SpanDecoder.Rejection> rejections) {
        if (rejections.isEmpty()) {
            return ExportTraceServiceResponse.getDefaultInstance();
        }
        String message = rejections.size() + " span(s) rejected: " + rejections.stream()
                .limit(REJECTIONS_IN_MESSAGE).map(SpanDecoder.Rejection::toString).collect(Collectors.joining("; "))
                + (rejections.size() > REJECTIONS_IN_MESSAGE ? "; …" : "");
        return ExportTraceServiceResponse.newBuilder().setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(rejections.size()).setErrorMessage(message)).build();
    }

    private static void complete(StreamObserver<ExportTraceServiceResponse> response, ExportTraceServiceResponse answer) {
        response.onNext(answer);
        response.onCompleted();
    }
}
