package dev.mesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
import dev.mesh.proxy.model.OutlierDetection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusterBalancerTest {

    static final List<Endpoint> THREE = List.of(new Endpoint("10.0.0.1", 80, 1, "a"), new Endpoint("10.0.0.2", 80, 1, "b"),
            new Endpoint("10.0.0.3", 80, 2, "c"));

    static ClusterBalancer balancer(ClusterSpec.LbPolicy policy) {
        return new ClusterBalancer(new ClusterSpec("outbound|80||s.ns.svc.cluster.local", "x", List.of(), policy, false,
                Duration.ofSeconds(1), "s.ns.svc.cluster.local", "ns", null, null, null), THREE);
    }

    static Map<String, Integer> spread(ClusterBalancer b, int n, java.util.function.IntFunction<String> key) {
        Random random = new Random(7);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(b.endpoint(b.pick(key.apply(i), random)).workload(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobin_followsWeightsExactly() {
        assertThat(spread(balancer(ClusterSpec.LbPolicy.ROUND_ROBIN), 400, i -> null)).containsEntry("a", 100)
                .containsEntry("b", 100).containsEntry("c", 200);
    }

    @Test
    void random_followsWeightsRoughly() {
        Map<String, Integer> counts = spread(balancer(ClusterSpec.LbPolicy.RANDOM), 4000, i -> null);
        assertThat(counts.get("c")).isBetween(1800, 2200);
    }

    @Test
    void leastRequest_avoidsTheBusyEndpoint() {
        ClusterBalancer b = balancer(ClusterSpec.LbPolicy.LEAST_REQUEST);
        for (int i = 0; i < 50; i++) {
            b.started(2);
        }
        Map<String, Integer> counts = spread(b, 1000, i -> null);
        // c only wins when both random choices land on it: (2/4)^2 = 25%, against 50% by weight.
        assertThat(counts.get("c")).isBetween(180, 320);
    }

    @Test
    void ringHash_sendsOneKeyToOneEndpoint_andSpreadsKeys() {
        ClusterBalancer b = balancer(ClusterSpec.LbPolicy.RING_HASH);
        assertThat(spread(b, 50, i -> "user-42")).hasSize(1);
        assertThat(spread(b, 3000, i -> "user-" + i)).hasSize(3);
        ClusterBalancer again = balancer(ClusterSpec.LbPolicy.RING_HASH);
        assertThat(again.pick("user-42", new Random(1))).isEqualTo(b.pick("user-42", new Random(2)));
    }

    @Test
    void noEndpoints_picksNothing() {
        ClusterBalancer b = new ClusterBalancer(balancer(ClusterSpec.LbPolicy.ROUND_ROBIN).spec(), List.of());
        assertThat(b.pick(null, new Random())).isEqualTo(-1);
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends java.time.Clock {
        long millis = 1_000_000;

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis);
        }
    }

    static ClusterBalancer withOutlierDetection(ManualClock clock, int maxEjectionPercent) {
        ClusterSpec spec = new ClusterSpec("outbound|80||s.ns.svc.cluster.local", "x", List.of(), ClusterSpec.LbPolicy.ROUND_ROBIN,
                false, Duration.ofSeconds(1), "s.ns.svc.cluster.local", "ns", null,
                new OutlierDetection(3, 0, Duration.ofSeconds(10), Duration.ofSeconds(30), maxEjectionPercent), null);
        return new ClusterBalancer(spec, THREE, clock);
    }

    @Test
    void consecutive5xx_ejectsTheEndpoint_untilTheEjectionTimeIsUp_longerEachTime() {
        ManualClock clock = new ManualClock();
        ClusterBalancer b = withOutlierDetection(clock, 50);
        b.outcome(0, 500);
        b.outcome(0, 503);
        b.outcome(0, 200);
        b.outcome(0, 502);
        b.outcome(0, 0);
        assertThat(b.ejected(0)).as("a success in between resets the count").isFalse();
        b.outcome(0, 500);
        assertThat(b.ejected(0)).isTrue();
        assertThat(spread(b, 300, i -> null)).doesNotContainKey("a");
        clock.millis += 30_000;
        assertThat(b.ejected(0)).isFalse();
        assertThat(spread(b, 400, i -> null)).containsKey("a");
        for (int i = 0; i < 3; i++) {
            b.outcome(0, 500);
        }
        clock.millis += 59_999;
        assertThat(b.ejected(0)).as("second ejection lasts twice the base time").isTrue();
        clock.millis += 1;
        assertThat(b.ejected(0)).isFalse();
    }

    @Test
    void maxEjectionPercent_keepsEnoughEndpoints() {
        ClusterBalancer b = withOutlierDetection(new ManualClock(), 50);
        for (int e = 0; e < 3; e++) {
            for (int i = 0; i < 3; i++) {
                b.outcome(e, 500);
            }
        }
        assertThat(b.ejected(0)).isTrue();
        assertThat(b.ejected(1)).isTrue();
        assertThat(b.ejected(2)).as("2 of 3 ejected is over 50 %").isFalse();
    }
}
