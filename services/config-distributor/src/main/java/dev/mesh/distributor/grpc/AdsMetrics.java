package dev.mesh.distributor.grpc;

import dev.mesh.distributor.xds.TypeUrl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The ADS server's metrics, with Istio's names where Istio has one (pilot_xds*). */
final class AdsMetrics {

    private final MeterRegistry registry;
    final AtomicInteger connected;

    AdsMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.connected = registry.gauge("pilot_xds", new AtomicInteger());
    }

    void pushed(String typeUrl, Duration sinceChange) {
        String type = TypeUrl.shortName(typeUrl);
        Counter.builder("pilot_xds_pushes").tag("type", type).register(registry).increment();
        Timer.builder("pilot_proxy_convergence_time").tag("type", type).register(registry).record(sinceChange);
    }

    void nacked(String typeUrl) {
        Counter.builder("pilot_total_xds_rejects").tag("type", TypeUrl.shortName(typeUrl)).register(registry)
                .increment();
    }
}
