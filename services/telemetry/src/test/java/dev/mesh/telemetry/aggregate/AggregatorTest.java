package dev.mesh.telemetry.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.telemetry.MutableClock;
import dev.mesh.telemetry.model.Peer;
import dev.mesh.telemetry.model.RequestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregatorTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));

    static RequestRecord record(String source, String destination, int code, long millis, boolean mtls) {
        return new RequestRecord("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "", "GET /", 1,
                millis * 1_000_000L, "source", new Peer("ns", source, source, "v1", null),
                new Peer("ns", destination, destination, "v1", null), destination + ".ns.svc.cluster.local",
                "http", code, -1, "-", mtls, 10, 100);
    }

    static List<RequestRecord> times(int n, RequestRecord record) {
        List<RequestRecord> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(record);
        }
        return list;
    }

    @Test
    void window_mergesTheBucketsItOverlaps_andLeavesOlderOnesOut() {
        Aggregator aggregator = new Aggregator(clock, Duration.ofSeconds(5), Duration.ofMinutes(10), 100);
        aggregator.add(times(10, record("a", "b", 200, 5, true)));
        clock.advance(Duration.ofSeconds(60));
        aggregator.add(times(30, record("a", "b", 503, 5, false)));
        clock.advance(Duration.ofSeconds(20));

        EdgeStats lastMinute = aggregator.snapshot(Duration.ofSeconds(60)).edges().values().iterator().next();
        assertThat(lastMinute.requests()).isEqualTo(30);
        assertThat(lastMinute.withCodeClass(5)).isEqualTo(30);
        assertThat(lastMinute.errors()).isEqualTo(30);
        assertThat(lastMinute.mutualTls()).isZero();

        EdgeStats fiveMinutes = aggregator.snapshot(Duration.ofMinutes(5)).edges().values().iterator().next();
        assertThat(fiveMinutes.requests()).isEqualTo(40);
        assertThat(fiveMinutes.withCodeClass(2)).isEqualTo(10);
        assertThat(fiveMinutes.mutualTls()).isEqualTo(10);
        assertThat(fiveMinutes.responseBytes()).isEqualTo(4000);
        assertThat(fiveMinutes.responses()).containsOnlyKeys("200", "503");
    }

    @Test
    void buckets_expireAfterTheRetention_soMemoryStaysBounded() {
        Aggregator aggregator = new Aggregator(clock, Duration.ofSeconds(5), Duration.ofMinutes(1), 100);
        for (int i = 0; i < 100; i++) {
            aggregator.add(List.of(record("a", "b" + (i % 3), 200, 1, true)));
            clock.advance(Duration.ofSeconds(5));
        }
        assertThat(aggregator.bucketCount()).isLessThanOrEqualTo(13);
        clock.advance(Duration.ofMinutes(2));
        assertThat(aggregator.snapshot(Duration.ofMinutes(1)).edges()).isEmpty();
        assertThat(aggregator.bucketCount()).isZero();
        assertThat(aggregator.liveEdgeCount()).isZero();
        assertThat(aggregator.aggregated()).isEqualTo(100);
    }

    @Test
    void edgesPastTheLimit_areDropped_untilOldOnesExpire() {
        Aggregator aggregator = new Aggregator(clock, Duration.ofSeconds(5), Duration.ofMinutes(1), 2);
        assertThat(aggregator.add(List.of(record("a", "b", 200, 1, true), record("a", "c", 200, 1, true),
                record("a", "d", 200, 1, true), record("a", "b", 200, 1, true)))).isEqualTo(1);
        assertThat(aggregator.liveEdgeCount()).isEqualTo(2);
        assertThat(aggregator.droppedForEdgeLimit()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(aggregator.add(List.of(record("a", "d", 200, 1, true)))).isZero();
    }

    @Test
    void percentiles_comeFromTheHistogramWithinABin() {
        Aggregator aggregator = new Aggregator(clock, Duration.ofSeconds(5), Duration.ofMinutes(1), 10);
        List<RequestRecord> records = new ArrayList<>();
        for (int ms = 1; ms <= 100; ms++) {
            records.add(record("a", "b", 200, ms, true));
        }
        aggregator.add(records);
        LatencyHistogram latency = aggregator.snapshot(Duration.ofSeconds(10)).edges().values().iterator().next()
                .latency();
        assertThat(latency.percentileMillis(0.5)).isBetween(50 * 0.88, 50 * 1.13);
        assertThat(latency.percentileMillis(0.95)).isBetween(95 * 0.88, 95 * 1.13);
        assertThat(latency.percentileMillis(0.99)).isBetween(99 * 0.88, 99 * 1.13);
        assertThat(latency.averageMillis()).isEqualTo(50.5);
    }

    @Test
    void nonsenseSettings_areRefusedByName() {
        assertThatThrownBy(() -> new Aggregator(clock, Duration.ZERO, Duration.ofMinutes(1), 1))
                .hasMessageContaining("bucket width");
        assertThatThrownBy(() -> new Aggregator(clock, Duration.ofSeconds(5), Duration.ofSeconds(1), 1))
                .hasMessageContaining("retention");
    }
}
