package dev.mesh.injector.metrics;

import dev.mesh.injection.SkipReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The webhook's metrics, with Istio's names so that its dashboards work: {@code sidecar_injection_requests_total},
 * {@code sidecar_injection_success_total}, {@code sidecar_injection_skip_total{reason}},
 * {@code sidecar_injection_failure_total{type}}, and the admission latency {@code sidecar_injection_time_seconds}.
 */
public final class InjectionMetrics {

    /** Failure types (the {@code type} label). */
    public static final String REFUSED = "refused";
    public static final String BAD_REQUEST = "bad-request";
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type";
    public static final String NAMESPACE_UNAVAILABLE = "namespace-unavailable";
    public static final String INTERNAL = "internal";

    private final MeterRegistry registry;
    private final Counter requests;
    private final Counter success;
    private final Timer time;

    public InjectionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.requests = Counter.builder("sidecar_injection_requests").description("admission requests received")
                .register(registry);
        this.success = Counter.builder("sidecar_injection_success").description("pods injected").register(registry);
        this.time = Timer.builder("sidecar_injection_time").description("time to answer an admission request")
                .publishPercentileHistogram().register(registry);
    }

    public void request() {
        requests.increment();
    }

    public void injected() {
        success.increment();
    }

    public void skipped(SkipReason reason) {
        skipped(reason.tag());
    }

    /** A skip for a reason outside the injection decision (not a pod, not a CREATE). */
    public void skipped(String reason) {
        Counter.builder("sidecar_injection_skip").description("admission requests answered without injection")
                .tag("reason", reason).register(registry).increment();
    }

    public void failed(String type) {
        Counter.builder("sidecar_injection_failure").description("admission requests refused or not understood")
                .tag("type", type).register(registry).increment();
    }

    public void took(Duration duration) {
        time.record(duration);
    }
}
