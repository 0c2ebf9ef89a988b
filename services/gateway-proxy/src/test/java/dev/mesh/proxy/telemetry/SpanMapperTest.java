package dev.mesh.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.http.RequestRecord;
import dev.mesh.proxy.http.TraceContext;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpanMapperTest {

    static RequestRecord record(String reporter, RequestRecord.Workload source, int status, String path) {
        return new RequestRecord(1_764_158_400_123L, "POST", path, "HTTP/1.1", status, "UF", 5, 42, 3, -1, null,
                null, "rid", "podinfo.example.com", null, "outbound|80|v1|podinfo.demo.svc.cluster.local", "r",
                "10.0.0.9:5100", reporter, source,
                new RequestRecord.Workload("podinfo-v1", "demo", "podinfo", "v1", null), "podinfo.demo.svc.cluster.local",
                "demo", "http", "source".equals(reporter) ? "unknown" : "none",
                new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "1111111111111111", "00f067aa0ba902b7", "01"),
                3_456_789);
    }

    private static Map<String, String> attributes(Span s) {
        return s.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey,
                kv -> kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue())
                        : kv.getValue().getStringValue()));
    }

    @Test
    void span_carriesIdsTimesAndAttributes_unknownForMissingRequiredOnes() {
        Span s = SpanMapper.span(record("source", RequestRecord.Workload.UNKNOWN, 503, "/a?b=c"));
        assertThat(s.getTraceId().size()).isEqualTo(16);
        assertThat(s.getParentSpanId().size()).isEqualTo(8);
        assertThat(s.getEndTimeUnixNano() - s.getStartTimeUnixNano()).isEqualTo(3_456_789);
        assertThat(s.getStartTimeUnixNano()).isEqualTo(1_764_158_400_123_000_000L);
        assertThat(s.getName()).isEqualTo("POST /a");
        assertThat(s.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(s.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        Map<String, String> a = attributes(s);
        assertThat(a).containsEntry("source_workload", "unknown").containsEntry("source_workload_namespace", "unknown")
                .containsEntry("destination_workload", "podinfo-v1").containsEntry("destination_version", "v1")
                .containsEntry("http.response.status_code", "503").containsEntry("response_flags", "UF")
                .containsEntry("http.request.body.size", "5").containsEntry("http.response.body.size", "42")
                .containsEntry("reporter", "source").doesNotContainKey("source_principal");
    }

    @Test
    void longValues_areCutToWhatTheReceiverTakes() {
        Span s = SpanMapper.span(record("source", RequestRecord.Workload.UNKNOWN, 200, "/" + "x".repeat(2000)));
        assertThat(s.getName()).hasSize(SpanMapper.MAX_VALUE_LENGTH);
        assertThat(attributes(s).get("url.path")).hasSize(SpanMapper.MAX_VALUE_LENGTH);
    }

    @Test
    void inboundFromAMeshPeer_isNotExported_elseItIs() {
        var peer = new RequestRecord.Workload(null, "demo", null, null, "spiffe://cluster.local/ns/demo/sa/sleep");
        assertThat(SpanMapper.exported(record("destination", peer, 200, "/"))).isFalse();
        assertThat(SpanMapper.exported(record("destination", RequestRecord.Workload.UNKNOWN, 200, "/"))).isTrue();
        assertThat(SpanMapper.exported(record("source", RequestRecord.Workload.UNKNOWN, 200, "/"))).isTrue();
        assertThat(SpanMapper.span(record("destination", RequestRecord.Workload.UNKNOWN, 200, "/")).getKind())
                .isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    }
}
