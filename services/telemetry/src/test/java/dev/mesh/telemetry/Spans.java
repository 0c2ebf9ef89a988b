package dev.mesh.telemetry;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Test spans as the gateway-proxy exports them (services/telemetry/README.md). */
public final class Spans {

    private Spans() {
    }

    /** A span from the ingress gateway (namespace {@code gatewayNs}) to podinfo {@code version} in {@code ns}. */
    public static Span.Builder gatewayToPodinfo(String gatewayNs, String ns, String version, int code,
            long durationMillis) {
        long start = System.currentTimeMillis() * 1_000_000L;
        return span(start, start + durationMillis * 1_000_000L)
                .setName("GET /version")
                .addAttributes(str("source_workload", "istio-ingressgateway"))
                .addAttributes(str("source_workload_namespace", gatewayNs))
                .addAttributes(str("source_app", "istio-ingressgateway"))
                .addAttributes(str("source_principal", "spiffe://cluster.local/ns/" + gatewayNs
                        + "/sa/istio-ingressgateway-service-account"))
                .addAttributes(str("destination_workload", "podinfo-" + version))
                .addAttributes(str("destination_workload_namespace", ns))
                .addAttributes(str("destination_app", "podinfo"))
                .addAttributes(str("destination_version", version))
                .addAttributes(str("destination_principal", "spiffe://cluster.local/ns/" + ns + "/sa/podinfo"))
                .addAttributes(str("destination_service", "podinfo." + ns + ".svc.cluster.local"))
                .addAttributes(str("request_protocol", "http"))
                .addAttributes(str("connection_security_policy", "mutual_tls"))
                .addAttributes(str("response_flags", code >= 500 ? "URX" : "-"))
                .addAttributes(num("http.response.status_code", code))
                .addAttributes(num("http.request.body.size", 0))
                .addAttributes(num("http.response.body.size", 120));
    }

    public static Span.Builder span(long startNanos, long endNanos) {
        byte[] trace = new byte[16];
        byte[] id = new byte[8];
        ThreadLocalRandom.current().nextBytes(trace);
        ThreadLocalRandom.current().nextBytes(id);
        trace[0] |= 1;
        id[0] |= 1;
        return Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(id))
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                .setStartTimeUnixNano(startNanos).setEndTimeUnixNano(endNanos);
    }

    public static ExportTraceServiceRequest request(List<Span> spans) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(str("service.name", "istio-ingressgateway")))
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))).build();
    }

    public static KeyValue str(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    public static KeyValue num(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    /** The span without the attribute {@code key}. */
    public static Span.Builder without(Span.Builder span, String key) {
        for (int i = 0; i < span.getAttributesCount(); i++) {
            if (span.getAttributes(i).getKey().equals(key)) {
                span.removeAttributes(i);
                break;
            }
        }
        return span;
    }

    /** The span with attribute {@code key} replaced. */
    public static Span.Builder with(Span.Builder span, KeyValue attribute) {
        return without(span, attribute.getKey()).addAttributes(attribute);
    }
}
