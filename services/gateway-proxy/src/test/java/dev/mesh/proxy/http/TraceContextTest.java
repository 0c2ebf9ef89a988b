package dev.mesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static TraceContext of(Map<String, String> headers) {
        return TraceContext.fromHeaders(headers::get);
    }

    @Test
    void traceparent_isContinued_withANewSpan() {
        TraceContext t = of(Map.of("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-00"));
        assertThat(t.traceId()).isEqualTo(TRACE);
        assertThat(t.parentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(t.spanId()).matches("[0-9a-f]{16}").isNotEqualTo("00f067aa0ba902b7");
        assertThat(t.traceparent()).isEqualTo("00-" + TRACE + "-" + t.spanId() + "-00");
    }

    @Test
    void malformedTraceparent_startsANewTrace() {
        for (String bad : new String[] {"00-" + TRACE.toUpperCase() + "-00f067aa0ba902b7-01",
            "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01", "00-" + TRACE + "-0000000000000000-01",
            "ff-" + TRACE + "-00f067aa0ba902b7-01", "00-" + TRACE + "-00f067aa0ba902b7-01-extra", "garbage"}) {
            TraceContext t = of(Map.of("traceparent", bad));
            assertThat(t.traceId()).as(bad).isNotEqualTo(TRACE).matches("[0-9a-f]{32}");
            assertThat(t.parentSpanId()).as(bad).isNull();
        }
    }

    @Test
    void laterVersion_withMoreFields_isRead() {
        TraceContext t = of(Map.of("traceparent", "01-" + TRACE + "-00f067aa0ba902b7-01-whatever"));
        assertThat(t.traceId()).isEqualTo(TRACE);
    }

    @Test
    void b3_64BitTraceId_isPadded_andSampledZeroKept() {
        TraceContext t = of(Map.of("x-b3-traceid", "A3CE929D0E0E4736", "x-b3-spanid", "00f067aa0ba902b7",
                "x-b3-sampled", "0"));
        assertThat(t.traceId()).isEqualTo("0000000000000000a3ce929d0e0e4736");
        assertThat(t.parentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(t.flags()).isEqualTo("00");
    }

    @Test
    void traceparent_winsOverB3() {
        TraceContext t = of(Map.of("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01",
                "x-b3-traceid", "a3ce929d0e0e4736", "x-b3-spanid", "1111111111111111"));
        assertThat(t.traceId()).isEqualTo(TRACE);
    }

    @Test
    void propagate_setsTraceparent_andUpdatesB3OnlyWhenPresent() {
        TraceContext t = of(Map.of());
        MultiMap plain = MultiMap.caseInsensitiveMultiMap();
        t.propagate(plain);
        assertThat(plain.names()).containsExactly("traceparent");

        TraceContext child = of(Map.of("x-b3-traceid", TRACE, "x-b3-spanid", "00f067aa0ba902b7"));
        MultiMap b3 = MultiMap.caseInsensitiveMultiMap().add("x-b3-traceid", TRACE).add("x-b3-spanid", "00f067aa0ba902b7");
        child.propagate(b3);
        assertThat(b3.get("x-b3-spanid")).isEqualTo(child.spanId());
        assertThat(b3.get("x-b3-parentspanid")).isEqualTo("00f067aa0ba902b7");
        assertThat(b3.get("traceparent")).isEqualTo("00-" + TRACE + "-" + child.spanId() + "-01");
    }
}
