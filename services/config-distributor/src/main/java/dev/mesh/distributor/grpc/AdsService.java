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
    private final Clock clock;

    public AdsService(ConfigWatcher watcher, Executor executor, AdsRegistry registry, MeterRegistry meters,
            Clock clock) {
        this.watcher = watcher;
        this.executor = executor;
        this.registry = registry;
        this.metrics = new AdsMetrics(meters);
        this.clock = clock;
    }

    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
        return new SotwStream(responses, executor, watcher, registry, metrics, clock);
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
            StreamObserver<DeltaDiscoveryResponse> responses) {
        return new DeltaStream(responses, executor, watcher, registry, metrics, clock);
    }
}
