package dev.mesh.distributor.grpc;

import dev.mesh.distributor.xds.ConfigWatcher;
import dev.mesh.distributor.xds.ResourceSet;
import dev.mesh.distributor.xds.TypeUrl;
import dev.mesh.distributor.xds.XdsResource;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/** Incremental ADS: each response carries only what changed since what the proxy has, and what went away. */
final class DeltaStream extends AdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {

    private static final class DeltaState extends TypeState {
        final Set<String> subscribed = new HashSet<>();
        /** What the proxy holds, by name: what it said at start, then what we sent. */
        final Map<String, String> proxyHas = new HashMap<>();

        @Override
        int resources() {
            return proxyHas.size();
        }
    }

    private final Map<String, DeltaState> types = new LinkedHashMap<>();

    DeltaStream(StreamObserver<DeltaDiscoveryResponse> responses, Executor executor, ConfigWatcher watcher,
            AdsRegistry registry, PushThrottle throttle, AdsMetrics metrics, Clock clock) {
        super(responses, executor, watcher, registry, throttle, metrics, clock);
    }

    @Override
    protected void handle(DeltaDiscoveryRequest request) {
        identify(request.hasNode(), request.getNode());
        String type = typeOf(request.getTypeUrl());
        DeltaState state = types.computeIfAbsent(type, t -> new DeltaState());
        boolean first = !state.requested;
        if (first) {
            state.requested = true;
            state.mustRespond = true;
            state.proxyHas.putAll(request.getInitialResourceVersionsMap());
            state.wildcard = TypeUrl.isWildcard(type) && request.getResourceNamesSubscribeCount() == 0;
        }
        String nonce = request.getResponseNonce();
        if (!nonce.isEmpty() && nonce.equals(state.sentNonce)) {
            if (request.hasErrorDetail()) {
                nacked(type, state, request.getErrorDetail().getMessage());
            } else {
                state.ackedVersion = state.sentVersion;
            }
        }
        boolean changed = first;
        for (String name : request.getResourceNamesSubscribeList()) {
            changed = true;
            if (name.equals("*")) {
                state.wildcard = true;
            } else {
                state.subscribed.add(name);
            }
        }
        for (String name : request.getResourceNamesUnsubscribeList()) {
            changed = true;
            if (name.equals("*")) {
                state.wildcard = false;
            } else {
                state.subscribed.remove(name);
                state.proxyHas.remove(name);
            }
        }
        if (changed) {
            schedule(type);
        }
    }

    @Override
    protected void push(String typeUrl) {
        DeltaState state = types.get(typeUrl);
        if (state == null || !state.requested) {
            return;
        }
        ResourceSet all = snapshot.resources(typeUrl);
        List<XdsResource> wanted = new ArrayList<>();
        for (XdsResource r : all.values()) {
            if (state.wildcard || state.subscribed.contains(r.name())) {
                wanted.add(r);
            }
        }
        List<XdsResource> changed = new ArrayList<>();
        for (XdsResource r : wanted) {
            if (!r.version().equals(state.proxyHas.get(r.name()))) {
                changed.add(r);
            }
        }
        List<String> removed = new ArrayList<>();
        for (String name : state.proxyHas.keySet()) {
            if (!all.containsKey(name) && (state.wildcard || state.subscribed.contains(name))) {
                removed.add(name);
            }
        }
        if (changed.isEmpty() && removed.isEmpty() && !state.mustRespond) {
            return;
        }
        java.util.Collections.sort(removed);
        String version = XdsResource.digestOf(wanted);
        DeltaDiscoveryResponse.Builder response = DeltaDiscoveryResponse.newBuilder()
                .setTypeUrl(typeUrl)
                .setSystemVersionInfo(version)
                .setNonce(nextNonce())
                .addAllRemovedResources(removed);
        for (XdsResource r : changed) {
            response.addResources(Resource.newBuilder().setName(r.name()).setVersion(r.version()).setResource(r.body()));
        }
        DeltaDiscoveryResponse built = response.build();
        out.onNext(built);
        changed.forEach(r -> state.proxyHas.put(r.name(), r.version()));
        removed.forEach(state.proxyHas::remove);
        state.sentNonce = built.getNonce();
        state.sentVersion = version;
        state.mustRespond = false;
        recordPush(typeUrl);
    }

    @Override
    protected Map<String, DeltaState> types() {
        return types;
    }

    @Override
    protected String protocol() {
        return "delta";
    }
}
