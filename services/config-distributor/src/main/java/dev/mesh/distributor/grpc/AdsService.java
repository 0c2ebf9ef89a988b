package dev.mesh.distributor.grpc;

import dev.mesh.distributor.xds.ConfigWatcher;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.Executor;

/** Envoy's Aggregated Discovery Service, state-of-the-world and delta, over one {@link ConfigWatcher}. */
public final class AdsService extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {

    private final ConfigWatcher watcher;
    private final Executor executor;
    private final AdsRegistry registry;
    private final AdsMetrics metrics;
    private final PushThrottle throttle;
    private final Clock clock;

    /**
     * @param maxConcurrentPushes how many streams may have a push on the wire at once (Istio's push
     *                            throttle): bounds the memory queued for proxies when many connect together
     */
    public AdsService(ConfigWatcher watcher, Executor executor, AdsRegistry registry, MeterRegistry meters,
            int maxConcurrentPushes, Clock clock) {
        this.watcher = watcher;
        this.executor = executor;
        this.registry = registry;
        this.metrics = new AdsMetrics(meters);
        this.throttle = new PushThrottle(maxConcurrentPushes);
        this.clock = clock;
    }

    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
        return new SotwStream(responses, executor, watcher, registry, throttle, metrics, clock);
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
            StreamObserver<DeltaDiscoveryResponse> responses) {
        return new DeltaStream(responses, executor, watcher, registry, throttle, metrics, clock);
    }
}
