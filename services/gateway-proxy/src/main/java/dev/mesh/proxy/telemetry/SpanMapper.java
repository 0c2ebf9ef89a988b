package dev.mesh.proxy.telemetry;

import com.google.protobuf.ByteString;
import dev.mesh.proxy.http.RequestRecord;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;

/**
 * One finished request as the OpenTelemetry span the telemetry service reads (the contract in
 * {@code services/telemetry/README.md}): the trace ids of its {@link dev.mesh.proxy.http.TraceContext}, its
 * duration, and Istio's request attributes, {@code unknown} where a required one is not known.
 */
public final class SpanMapper {

    /** The receiver rejects longer strings. */
    static final int MAX_VALUE_LENGTH = 512;

    private SpanMapper() {
    }

    /**
     * The telemetry rule that keeps each request counted once: the sending proxy reports it (source); an inbound
     * proxy reports only requests that came without a mesh identity, as no mesh proxy sent those.
     */
    public static boolean exported(RequestRecord r) {
        return r.reportedBySource() || r.source().principal() == null;
    }

    /** The proxy's resource: {@code service.name} as Istio's tracer names it, {@code <workload>.<namespace>}. */
    public static Resource resource(String workload, String namespace) {
        return Resource.newBuilder().addAttributes(string("service.name", workload + "." + namespace)).build();
    }

    public static Span span(RequestRecord r) {
        HexFormat hex = HexFormat.of();
        long start = r.startEpochMillis() * 1_000_000L;
        String path = r.path() == null ? "/" : r.path();
        int query = path.indexOf('?');
        String pathOnly = query < 0 ? path : path.substring(0, query);
        Span.Builder s = Span.newBuilder()
                .setTraceId(ByteString.copyFrom(hex.parseHex(r.trace().traceId())))
                .setSpanId(ByteString.copyFrom(hex.parseHex(r.trace().spanId())))
                .setName(truncate(r.method() + " " + pathOnly))
                .setKind(r.reportedBySource() ? Span.SpanKind.SPAN_KIND_CLIENT : Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(start + Math.max(0, r.durationNanos()));
        if (r.trace().parentSpanId() != null) {
            s.setParentSpanId(ByteString.copyFrom(hex.parseHex(r.trace().parentSpanId())));
        }
        RequestRecord.Workload src = r.source();
        RequestRecord.Workload dst = r.destination();
        required(s, "source_workload", src.name());
        required(s, "source_workload_namespace", src.namespace());
        optional(s, "source_app", src.app());
        optional(s, "source_version", src.version());
        optional(s, "source_principal", src.principal());
        required(s, "destination_workload", dst.name());
        required(s, "destination_workload_namespace", dst.namespace());
        optional(s, "destination_app", dst.app());
        optional(s, "destination_version", dst.version());
        optional(s, "destination_principal", dst.principal());
        optional(s, "destination_service", r.destinationService());
        s.addAttributes(integer("http.response.status_code", r.responseCode()));
        optional(s, "request_protocol", r.requestProtocol());
        optional(s, "response_flags", r.responseFlags());
        optional(s, "connection_security_policy", r.connectionSecurityPolicy());
        optional(s, "reporter", r.reporter());
        s.addAttributes(integer("http.request.body.size", Math.max(0, r.bytesReceived())));
        s.addAttributes(integer("http.response.body.size", Math.max(0, r.bytesSent())));
        // Beyond the contract, for the trace view: what Envoy's tracer tags a span with.
        optional(s, "http.request.method", r.method());
        optional(s, "url.path", pathOnly);
        optional(s, "server.address", r.authority());
        optional(s, "upstream_cluster", r.upstreamCluster());
        optional(s, "guid:x-request-id", r.requestId());
        optional(s, "user_agent.original", r.userAgent());
        if (r.responseCode() >= 500 || r.responseCode() == 0) {
            s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
        }
        return s.build();
    }

    private static void required(Span.Builder s, String key, String value) {
        s.addAttributes(string(key, value == null || value.isEmpty() ? "unknown" : value));
    }

    private static void optional(Span.Builder s, String key, String value) {
        if (value != null && !value.isEmpty()) {
            s.addAttributes(string(key, value));
        }
    }

    static KeyValue string(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(truncate(value))).build();
    }

    private static KeyValue integer(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    private static String truncate(String s) {
        return s.length() <= MAX_VALUE_LENGTH ? s : s.substring(0, MAX_VALUE_LENGTH);
    }
}
