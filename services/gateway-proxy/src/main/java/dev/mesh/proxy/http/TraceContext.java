package dev.mesh.proxy.http;

import io.vertx.core.MultiMap;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * The trace position of one request through the proxy: the caller's trace (W3C {@code traceparent}, else B3
 * {@code x-b3-traceid} / {@code x-b3-spanid}) continued, or a new one, and the proxy's own span in it. Ids are
 * lower-case hex: 32 characters for the trace, 16 for spans; {@code parentSpanId} is null when the request came
 * without one.
 */
public record TraceContext(String traceId, String spanId, String parentSpanId, String flags) {

    public static final String TRACEPARENT = "traceparent";
    public static final String B3_TRACE_ID = "x-b3-traceid";
    public static final String B3_SPAN_ID = "x-b3-spanid";
    public static final String B3_PARENT_SPAN_ID = "x-b3-parentspanid";
    public static final String B3_SAMPLED = "x-b3-sampled";

    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    /**
     * The proxy's span for a request with these headers: child of the caller's span when the request carried a
     * valid {@code traceparent} (or, without one, B3 ids), else the root of a new trace. Malformed headers are
     * treated as absent, as the W3C spec asks.
     */
    public static TraceContext fromHeaders(UnaryOperator<String> header) {
        TraceContext parent = parseTraceparent(header.apply(TRACEPARENT));
        if (parent == null) {
            parent = parseB3(header.apply(B3_TRACE_ID), header.apply(B3_SPAN_ID), header.apply(B3_SAMPLED));
        }
        if (parent == null) {
            return new TraceContext(randomHex(16, ZERO_TRACE), randomHex(8, ZERO_SPAN), null, "01");
        }
        return new TraceContext(parent.traceId, randomHex(8, ZERO_SPAN), parent.spanId, parent.flags);
    }

    /** {@code 00-<trace>-<span>-<flags>} of a valid version-00-compatible header, else null. */
    static TraceContext parseTraceparent(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        // version 00 is exactly 55 characters; later versions may append fields after a '-'.
        if (v.length() < 55 || (v.length() > 55 && v.charAt(55) != '-') || v.charAt(2) != '-' || v.charAt(35) != '-'
                || v.charAt(52) != '-') {
            return null;
        }
        String version = v.substring(0, 2);
        String trace = v.substring(3, 35);
        String span = v.substring(36, 52);
        String flags = v.substring(53, 55);
        if (!isHex(version) || version.equals("ff") || (version.equals("00") && v.length() != 55) || !isHex(trace)
                || !isHex(span) || !isHex(flags) || trace.equals(ZERO_TRACE) || span.equals(ZERO_SPAN)) {
            return null;
        }
        return new TraceContext(trace, span, null, flags);
    }

    /** B3 multi-header ids (64-bit trace ids are left-padded to 128), else null. */
    static TraceContext parseB3(String traceId, String spanId, String sampled) {
        if (traceId == null || spanId == null) {
            return null;
        }
        String trace = traceId.trim().toLowerCase(java.util.Locale.ROOT);
        String span = spanId.trim().toLowerCase(java.util.Locale.ROOT);
        if (trace.length() == 16) {
            trace = "0".repeat(16) + trace;
        }
        if (trace.length() != 32 || span.length() != 16 || !isHex(trace) || !isHex(span) || trace.equals(ZERO_TRACE)
                || span.equals(ZERO_SPAN)) {
            return null;
        }
        String flags = "0".equals(sampled == null ? null : sampled.trim()) ? "00" : "01";
        return new TraceContext(trace, span, null, flags);
    }

    /** The {@code traceparent} the proxy sends upstream: this trace, its own span as the parent. */
    public String traceparent() {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }

    /**
     * Sets the headers the upstream request carries: {@code traceparent} always; the B3 headers only when the
     * downstream request used B3, updated to this span (as Envoy's Zipkin tracer does).
     */
    public void propagate(MultiMap upstream) {
        upstream.set(TRACEPARENT, traceparent());
        if (upstream.contains(B3_TRACE_ID)) {
            upstream.set(B3_TRACE_ID, traceId);
            upstream.set(B3_SPAN_ID, spanId);
            if (parentSpanId != null) {
                upstream.set(B3_PARENT_SPAN_ID, parentSpanId);
            } else {
                upstream.remove(B3_PARENT_SPAN_ID);
            }
        }
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String randomHex(int bytes, String zero) {
        byte[] b = new byte[bytes];
        String hex;
        do {
            ThreadLocalRandom.current().nextBytes(b);
            hex = HexFormat.of().formatHex(b);
        } while (hex.equals(zero));
        return hex;
    }
}
