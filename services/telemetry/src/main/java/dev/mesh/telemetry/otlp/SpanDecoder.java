package dev.mesh.telemetry.otlp;

import com.google.protobuf.ByteString;
import dev.mesh.telemetry.model.Peer;
import dev.mesh.telemetry.model.RequestRecord;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns an OTLP export request into request records, one per span. A span that lacks a required attribute or
 * carries a garbled one is rejected with its reason; the others are kept. Pure: no state, no I/O.
 */
public final class SpanDecoder {

    /** Why a span was rejected; {@link #label()} is the metric label. */
    public enum Reason {
        MISSING_ATTRIBUTE("missing_attribute"),
        WRONG_TYPE("wrong_type"),
        BAD_VALUE("bad_value"),
        BAD_TIMING("bad_timing"),
        BAD_ID("bad_id");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One rejected span: its id (hex, or {@code ?} when unreadable), the reason and what exactly was wrong. */
    public record Rejection(String spanId, Reason reason, String detail) {

        @Override
        public String toString() {
            return "span " + spanId + ": " + detail;
        }
    }

    /** The records decoded from one request and the spans rejected. */
    public record Result(List<RequestRecord> records, List<Rejection> rejections) {
    }

    private static final HexFormat HEX = HexFormat.of();

    private SpanDecoder() {
    }

    public static Result decode(ExportTraceServiceRequest request) {
        List<RequestRecord> records = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            Map<String, AnyValue> resource = attributes(resourceSpans.getResource().getAttributesList());
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    try {
                        records.add(decode(span, resource));
                    } catch (SpanRejected e) {
                        rejections.add(new Rejection(spanIdOrUnknown(span), e.reason, e.getMessage()));
                    }
                }
            }
        }
        return new Result(records, rejections);
    }

    static RequestRecord decode(Span span, Map<String, AnyValue> resource) throws SpanRejected {
        String traceId = id(span.getTraceId(), 16, "trace_id", false);
        String spanId = id(span.getSpanId(), 8, "span_id", false);
        String parentSpanId = id(span.getParentSpanId(), 8, "parent_span_id", true);
        long start = span.getStartTimeUnixNano();
        long end = span.getEndTimeUnixNano();
        if (start <= 0) {
            throw new SpanRejected(Reason.BAD_TIMING, "start_time_unix_nano is not set");
        }
        if (end < start) {
            throw new SpanRejected(Reason.BAD_TIMING,
                    "end_time_unix_nano " + end + " is before start_time_unix_nano " + start);
        }
        Attributes attrs = new Attributes(attributes(span.getAttributesList()), resource);

        Peer source = new Peer(
                attrs.requiredString(SpanAttributes.SOURCE_WORKLOAD_NAMESPACE),
                attrs.requiredString(SpanAttributes.SOURCE_WORKLOAD),
                attrs.optionalString(SpanAttributes.SOURCE_APP),
                attrs.optionalString(SpanAttributes.SOURCE_VERSION),
                attrs.optionalString(SpanAttributes.SOURCE_PRINCIPAL));
        Peer destination = new Peer(
                attrs.requiredString(SpanAttributes.DESTINATION_WORKLOAD_NAMESPACE),
                attrs.requiredString(SpanAttributes.DESTINATION_WORKLOAD),
                attrs.optionalString(SpanAttributes.DESTINATION_APP),
                attrs.optionalString(SpanAttributes.DESTINATION_VERSION),
                attrs.optionalString(SpanAttributes.DESTINATION_PRINCIPAL));

        String protocol = attrs.optionalString(SpanAttributes.REQUEST_PROTOCOL);
        if (Peer.UNKNOWN.equals(protocol)) {
            protocol = "grpc".equals(attrs.optionalString(SpanAttributes.RPC_SYSTEM)) ? "grpc" : "http";
        }
        if (!protocol.equals("http") && !protocol.equals("grpc") && !protocol.equals("tcp")) {
            throw new SpanRejected(Reason.BAD_VALUE,
                    SpanAttributes.REQUEST_PROTOCOL + " is \"" + protocol + "\", want http, grpc or tcp");
        }
        long responseCode = protocol.equals("tcp")
                ? attrs.optionalLong(SpanAttributes.RESPONSE_CODE, 0)
                : attrs.requiredLong(SpanAttributes.RESPONSE_CODE);
        if (responseCode != 0 && (responseCode < 100 || responseCode > 599)) {
            throw new SpanRejected(Reason.BAD_VALUE, SpanAttributes.RESPONSE_CODE.get(0) + " is " + responseCode
                    + ", want 0 (no response) or 100-599");
        }
        long grpcStatus = attrs.optionalLong(SpanAttributes.GRPC_STATUS, -1);
        if (grpcStatus < -1 || grpcStatus > 16) {
            throw new SpanRejected(Reason.BAD_VALUE, SpanAttributes.GRPC_STATUS.get(0) + " is " + grpcStatus
                    + ", want a gRPC status code 0-16");
        }
        String reporter = attrs.optionalString(SpanAttributes.REPORTER);
        if (Peer.UNKNOWN.equals(reporter)) {
            reporter = "source";
        } else if (!reporter.equals("source") && !reporter.equals("destination")) {
            throw new SpanRejected(Reason.BAD_VALUE,
                    SpanAttributes.REPORTER + " is \"" + reporter + "\", want source or destination");
        }
        String policy = attrs.optionalString(SpanAttributes.CONNECTION_SECURITY_POLICY);
        if (!policy.equals("mutual_tls") && !policy.equals("none") && !policy.equals(Peer.UNKNOWN)) {
            throw new SpanRejected(Reason.BAD_VALUE, SpanAttributes.CONNECTION_SECURITY_POLICY + " is \"" + policy
                    + "\", want mutual_tls, none or unknown");
        }
        String flags = attrs.optionalString(SpanAttributes.RESPONSE_FLAGS);
        return new RequestRecord(traceId, spanId, parentSpanId, span.getName(), start, end - start, reporter,
                source, destination, attrs.optionalString(SpanAttributes.DESTINATION_SERVICE), protocol,
                (int) responseCode, (int) grpcStatus, Peer.UNKNOWN.equals(flags) ? "-" : flags,
                policy.equals("mutual_tls"),
                attrs.optionalSize(SpanAttributes.REQUEST_BYTES),
                attrs.optionalSize(SpanAttributes.RESPONSE_BYTES));
    }

    private static String id(ByteString bytes, int length, String field, boolean mayBeEmpty) throws SpanRejected {
        if (bytes.isEmpty() && mayBeEmpty) {
            return "";
        }
        if (bytes.size() != length) {
            throw new SpanRejected(Reason.BAD_ID, field + " has " + bytes.size() + " bytes, want " + length);
        }
        for (int i = 0; i < length; i++) {
            if (bytes.byteAt(i) != 0) {
                return HEX.formatHex(bytes.toByteArray());
            }
        }
        if (mayBeEmpty) {
            return "";
        }
        throw new SpanRejected(Reason.BAD_ID, field + " is all zeros");
    }

    private static String spanIdOrUnknown(Span span) {
        return span.getSpanId().size() == 8 ? HEX.formatHex(span.getSpanId().toByteArray()) : "?";
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> list) {
        Map<String, AnyValue> map = new HashMap<>(list.size() * 2);
        for (KeyValue kv : list) {
            map.put(kv.getKey(), kv.getValue());
        }
        return map;
    }

    /** The span's attributes over its resource's. */
    private record Attributes(Map<String, AnyValue> span, Map<String, AnyValue> resource) {

        AnyValue get(String key) {
            AnyValue value = span.get(key);
            return value != null ? value : resource.get(key);
        }

        String requiredString(String key) throws SpanRejected {
            AnyValue value = get(key);
            if (value == null) {
                throw new SpanRejected(Reason.MISSING_ATTRIBUTE, "attribute " + key + " is missing");
            }
            String s = string(key, value);
            if (s.isEmpty()) {
                throw new SpanRejected(Reason.BAD_VALUE, "attribute " + key + " is empty (use \"unknown\")");
            }
            return s;
        }

        String optionalString(String key) throws SpanRejected {
            AnyValue value = get(key);
            return value == null ? Peer.UNKNOWN : Peer.orUnknown(string(key, value));
        }

        long requiredLong(List<String> keys) throws SpanRejected {
            for (String key : keys) {
                AnyValue value = get(key);
                if (value != null) {
                    return number(key, value);
                }
            }
            throw new SpanRejected(Reason.MISSING_ATTRIBUTE, "attribute " + String.join(" (or ", keys)
                    + ")".repeat(keys.size() - 1) + " is missing");
        }

        long optionalLong(List<String> keys, long fallback) throws SpanRejected {
            for (String key : keys) {
                AnyValue value = get(key);
                if (value != null) {
                    return number(key, value);
                }
            }
            return fallback;
        }

        long optionalSize(List<String> keys) throws SpanRejected {
            long size = optionalLong(keys, 0);
            if (size < 0) {
                throw new SpanRejected(Reason.BAD_VALUE, "attribute " + keys.get(0) + " is negative: " + size);
            }
            return size;
        }

        private static String string(String key, AnyValue value) throws SpanRejected {
            if (value.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
                throw new SpanRejected(Reason.WRONG_TYPE,
                        "attribute " + key + " is " + typeName(value) + ", want a string");
            }
            String s = value.getStringValue();
            if (s.length() > SpanAttributes.MAX_VALUE_LENGTH) {
                throw new SpanRejected(Reason.BAD_VALUE, "attribute " + key + " is " + s.length()
                        + " characters long, at most " + SpanAttributes.MAX_VALUE_LENGTH + " allowed");
            }
            return s;
        }

        /** An integer, or a string of digits (Istio's labels carry codes as strings). */
        private static long number(String key, AnyValue value) throws SpanRejected {
            switch (value.getValueCase()) {
                case INT_VALUE:
                    return value.getIntValue();
                case STRING_VALUE:
                    try {
                        return Long.parseLong(value.getStringValue().trim());
                    } catch (NumberFormatException e) {
                        throw new SpanRejected(Reason.BAD_VALUE, "attribute " + key + " is \""
                                + abbreviate(value.getStringValue()) + "\", want an integer");
                    }
                default:
                    throw new SpanRejected(Reason.WRONG_TYPE,
                            "attribute " + key + " is " + typeName(value) + ", want an integer");
            }
        }

        private static String typeName(AnyValue value) {
            return value.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET
                    ? "empty" : "a " + value.getValueCase().name().toLowerCase().replace("_value", "");
        }

        private static String abbreviate(String s) {
            return s.length() <= 40 ? s : s.substring(0, 40) + "…";
        }
    }

    /** A span that cannot become a record; carries the reason. */
    static final class SpanRejected extends Exception {

        final Reason reason;

        SpanRejected(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
