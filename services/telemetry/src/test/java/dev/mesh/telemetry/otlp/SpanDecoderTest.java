package dev.mesh.telemetry.otlp;

import static dev.mesh.telemetry.Spans.gatewayToPodinfo;
import static dev.mesh.telemetry.Spans.num;
import static dev.mesh.telemetry.Spans.str;
import static dev.mesh.telemetry.Spans.with;
import static dev.mesh.telemetry.Spans.without;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.mesh.telemetry.Spans;
import dev.mesh.telemetry.model.RequestRecord;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanDecoderTest {

    @Test
    void gatewaySpan_becomesARecordWithEveryAttribute() {
        Span span = gatewayToPodinfo("istio-system", "demo", "v2", 200, 12).build();
        SpanDecoder.Result result = SpanDecoder.decode(Spans.request(List.of(span)));

        assertThat(result.rejections()).isEmpty();
        RequestRecord r = result.records().get(0);
        assertThat(r.source().workload()).isEqualTo("istio-ingressgateway");
        assertThat(r.source().namespace()).isEqualTo("istio-system");
        assertThat(r.destination().workload()).isEqualTo("podinfo-v2");
        assertThat(r.destination().version()).isEqualTo("v2");
        assertThat(r.destination().principal()).isEqualTo("spiffe://cluster.local/ns/demo/sa/podinfo");
        assertThat(r.destinationService()).isEqualTo("podinfo.demo.svc.cluster.local");
        assertThat(r.destinationServiceName()).isEqualTo("podinfo");
        assertThat(r.responseCode()).isEqualTo(200);
        assertThat(r.mutualTls()).isTrue();
        assertThat(r.responseBytes()).isEqualTo(120);
        assertThat(r.durationNanos()).isEqualTo(12_000_000L);
        assertThat(r.reporter()).isEqualTo("source");
        assertThat(r.protocol()).isEqualTo("http");
        assertThat(r.traceId()).hasSize(32).matches("[0-9a-f]+");
        assertThat(r.parentSpanId()).isEmpty();
        assertThat(r.isError()).isFalse();
    }

    @Test
    void istioLabelNames_areAcceptedWhereOpenTelemetryHasItsOwn() {
        Span.Builder span = without(gatewayToPodinfo("istio-system", "demo", "v1", 200, 1), "http.response.status_code");
        span.addAttributes(str("response_code", "503")).addAttributes(num("response_bytes", 77));
        without(span, "http.response.body.size");
        RequestRecord r = SpanDecoder.decode(Spans.request(List.of(span.build()))).records().get(0);
        assertThat(r.responseCode()).isEqualTo(503);
        assertThat(r.responseBytes()).isEqualTo(77);
        assertThat(r.isError()).isTrue();
    }

    @Test
    void sourceIdentity_mayComeFromTheResource() {
        Span.Builder span = gatewayToPodinfo("istio-system", "demo", "v1", 200, 1);
        without(span, "source_workload");
        without(span, "source_workload_namespace");
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(
                ResourceSpans.newBuilder().setResource(Resource.newBuilder()
                                .addAttributes(str("source_workload", "frontend"))
                                .addAttributes(str("source_workload_namespace", "shop")))
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
        RequestRecord r = SpanDecoder.decode(request).records().get(0);
        assertThat(r.source().workload()).isEqualTo("frontend");
        assertThat(r.source().namespace()).isEqualTo("shop");
    }

    @Test
    void badSpans_areRejectedWithTheirReason_andTheGoodOnesKept() {
        Span good = gatewayToPodinfo("istio-system", "demo", "v1", 200, 1).build();
        Span missing = without(gatewayToPodinfo("istio-system", "demo", "v1", 200, 1), "destination_workload").build();
        Span wrongType = with(gatewayToPodinfo("istio-system", "demo", "v1", 200, 1),
                KeyValue.newBuilder().setKey("source_workload").setValue(AnyValue.newBuilder().setBoolValue(true))
                        .build()).build();
        Span badCode = with(gatewayToPodinfo("istio-system", "demo", "v1", 200, 1),
                num("http.response.status_code", 7000)).build();
        Span garbledCode = with(gatewayToPodinfo("istio-system", "demo", "v1", 200, 1),
                str("http.response.status_code", "two hundred")).build();
        Span backwards = gatewayToPodinfo("istio-system", "demo", "v1", 200, 1)
                .setEndTimeUnixNano(1).build();
        Span shortTraceId = gatewayToPodinfo("istio-system", "demo", "v1", 200, 1)
                .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3})).build();
        Span badPolicy = with(gatewayToPodinfo("istio-system", "demo", "v1", 200, 1),
                str("connection_security_policy", "maybe")).build();

        SpanDecoder.Result result = SpanDecoder.decode(Spans.request(
                List.of(good, missing, wrongType, badCode, garbledCode, backwards, shortTraceId, badPolicy)));

        assertThat(result.records()).hasSize(1);
        assertThat(result.rejections()).extracting(SpanDecoder.Rejection::reason).containsExactly(
                SpanDecoder.Reason.MISSING_ATTRIBUTE, SpanDecoder.Reason.WRONG_TYPE, SpanDecoder.Reason.BAD_VALUE,
                SpanDecoder.Reason.BAD_VALUE, SpanDecoder.Reason.BAD_TIMING, SpanDecoder.Reason.BAD_ID,
                SpanDecoder.Reason.BAD_VALUE);
        assertThat(result.rejections()).extracting(SpanDecoder.Rejection::detail).containsExactly(
                "attribute destination_workload is missing",
                "attribute source_workload is a bool, want a string",
                "http.response.status_code is 7000, want 0 (no response) or 100-599",
                "attribute http.response.status_code is \"two hundred\", want an integer",
                "end_time_unix_nano 1 is before start_time_unix_nano " + backwards.getStartTimeUnixNano(),
                "trace_id has 3 bytes, want 16",
                "connection_security_policy is \"maybe\", want mutual_tls, none or unknown");
    }

    @Test
    void partialSuccess_countsEveryRejection_andSpellsOutTheFirstFew() {
        List<SpanDecoder.Rejection> rejections = java.util.stream.IntStream.range(0, 7)
                .mapToObj(i -> new SpanDecoder.Rejection("00000000000000" + i + "0",
                        SpanDecoder.Reason.MISSING_ATTRIBUTE, "attribute source_workload is missing"))
                .toList();
        var answer = OtlpTraceService.answer(rejections).getPartialSuccess();
        assertThat(answer.getRejectedSpans()).isEqualTo(7);
        assertThat(answer.getErrorMessage()).startsWith("7 span(s) rejected: span 0000000000000000: attribute "
                + "source_workload is missing; span 0000000000000010").endsWith("; …");
    }
}
