package dev.mesh.distributor.grpc;

import dev.mesh.distributor.xds.ConfigWatcher;
import dev.mesh.distributor.xds.TypeUrl;
import dev.mesh.distributor.xds.XdsResource;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/** ADS state of the world: each response carries every resource of its type that the proxy asked for. */
final class SotwStream extends AdsStream<DiscoveryRequest, DiscoveryResponse> {

    private static final class SotwState extends TypeState {
        Set<String> names = Set.of();
        int sentCount;

        @Override
        int resources() {
            return sentCount;
        }
    }

    private final Map<String, SotwState> types = new LinkedHashMap<>();

    SotwStream(StreamObserver<DiscoveryResponse> responses, Executor executor, ConfigWatcher watcher,
            AdsRegistry registry, PushThrottle throttle, AdsMetrics metrics, Clock clock) {
        super(responses, executor, watcher, registry, throttle, metrics, clock);
    }

    @Override
    protected void handle(DiscoveryRequest request) {
        identify(request.hasNode(), request.getNode());
        String type = typeOf(request.getTypeUrl());
        SotwState state = types.computeIfAbsent(type, t -> new SotwState());
        String nonce = request.getResponseNonce();
        if (!nonce.isEmpty() && !nonce.equals(state.sentNonce)) {
            return; // answers a response that a newer one has replaced
        }
        if (request.hasErrorDetail()) {
            nacked(type, state, request.getErrorDetail().getMessage());
            return; // the next change is pushed as usual
        }
        if (!nonce.isEmpty()) {
            state.ackedVersion = request.getVersionInfo();
        }
        Set<String> names = canonical(type, request.getResourceNamesList());
        boolean wildcard = TypeUrl.isWildcard(type) && (names.isEmpty() || names.contains("*"));
        boolean changed = !state.requested || !names.equals(state.names) || wildcard != state.wildcard;
        state.names = names;
        state.wildcard = wildcard;
        if (nonce.isEmpty()) {
            state.mustRespond = true; // a new subscription (or a reconnect) always gets an answer
        }
        state.requested = true;
        if (changed || state.mustRespond) {
            schedule(type);
        }
    }

    /**
     * The requested names, each replaced by the identical name the snapshot already holds: a proxy
     * subscribing to thousands of endpoint sets then costs a set of references, not of strings.
     */
    private Set<String> canonical(String typeUrl, java.util.List<String> requested) {
        if (snapshot == null) {
            return Set.copyOf(requested);
        }
        dev.mesh.distributor.xds.ResourceSet known = snapshot.resources(typeUrl);
        String[] names = new String[requested.size()];
        for (int i = 0; i < names.length; i++) {
            XdsResource r = known.get(requested.get(i));
            names[i] = r != null ? r.name() : requested.get(i);
        }
        return Set.of(java.util.Arrays.stream(names).distinct().toArray(String[]::new));
    }

    @Override
    protected void push(String typeUrl) {
        SotwState state = types.get(typeUrl);
        if (state == null || !state.requested) {
            return;
        }
        List<XdsResource> resources = new ArrayList<>();
        for (XdsResource r : snapshot.resources(typeUrl).values()) {
            if (state.wildcard || state.names.contains(r.name())) {
                resources.add(r);
            }
        }
        String version = XdsResource.digestOf(resources);
        if (version.equals(state.sentVersion) && !state.mustRespond) {
            return;
        }
        DiscoveryResponse.Builder response = DiscoveryResponse.newBuilder()
                .setTypeUrl(typeUrl)
                .setVersionInfo(version)
                .setNonce(nextNonce());
        resources.forEach(r -> response.addResources(r.body()));
        DiscoveryResponse built = response.build();
        out.onNext(built);
        state.sentVersion = version;
        state.sentNonce = built.getNonce();
        state.sentCount = resources.size();
        state.mustRespond = false;
        recordPush(typeUrl);
    }

    @Override
    protected Map<String, SotwState> types() {
        return types;
    }

    @Override
    protected String protocol() {
        return "sotw";
    }
}
