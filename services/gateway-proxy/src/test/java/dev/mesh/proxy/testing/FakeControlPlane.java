package dev.mesh.proxy.testing;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny state-of-the-world ADS server on loopback that serves whatever the test puts in it: answers every
 * new subscription, pushes every change to every open stream, and records each request so tests can see
 * ACKs and NACKs. It can be stopped and started again on the same port.
 */
public final class FakeControlPlane implements AutoCloseable {

    private final Map<String, List<Any>> resources = new HashMap<>();
    private final Map<String, String> versions = new HashMap<>();
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong nonce = new AtomicLong();
    private final String host;
    private int port;
    private Server server;

    /** On 127.0.0.1. */
    public FakeControlPlane() {
        this("127.0.0.1");
    }

    /** On {@code host}, for proxies in another network namespace. */
    public FakeControlPlane(String host) {
        this.host = host;
    }

    public synchronized FakeControlPlane start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).addService(new Service()).build().start();
        port = server.getPort();
        return this;
    }

    public synchronized void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server = null;
            streams.clear();
        }
    }

    public String address() {
        return host + ":" + port;
    }

    public List<DiscoveryRequest> requests() {
        return requests;
    }

    /** Replaces the state of the world of one type and pushes it to every stream. */
    public synchronized String set(String typeUrl, List<? extends com.google.protobuf.Message> messages) {
        List<Any> packed = new ArrayList<>();
        messages.forEach(m -> packed.add(Any.pack(m)));
        resources.put(typeUrl, packed);
        versions.put(typeUrl, "v" + nonce.incrementAndGet());
        for (Stream s : streams) {
            s.push(typeUrl);
        }
        return versions.get(typeUrl);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private final class Service extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
        @Override
        public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
            Stream s = new Stream(out);
            streams.add(s);
            return s;
        }

        @Override
        public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(StreamObserver<DeltaDiscoveryResponse> out) {
            out.onError(Status.UNIMPLEMENTED.asRuntimeException());
            return new StreamObserver<>() {
                public void onNext(DeltaDiscoveryRequest value) {}
                public void onError(Throwable t) {}
                public void onCompleted() {}
            };
        }
    }

    private final class Stream implements StreamObserver<DiscoveryRequest> {
        private final StreamObserver<DiscoveryResponse> out;
        private final Map<String, Set<String>> subscribed = new HashMap<>();

        Stream(StreamObserver<DiscoveryResponse> out) {
            this.out = out;
        }

        @Override
        public void onNext(DiscoveryRequest req) {
            requests.add(req);
            synchronized (FakeControlPlane.this) {
                Set<String> names = Set.copyOf(req.getResourceNamesList());
                boolean fresh = req.getResponseNonce().isEmpty() || !names.equals(subscribed.get(req.getTypeUrl()));
                subscribed.put(req.getTypeUrl(), names);
                if (fresh) {
                    push(req.getTypeUrl());
                }
            }
        }

        void push(String type) {
            Set<String> names = subscribed.get(type);
            if (names == null || !resources.containsKey(type)) {
                return;
            }
            DiscoveryResponse.Builder r = DiscoveryResponse.newBuilder().setTypeUrl(type)
                    .setVersionInfo(versions.get(type)).setNonce("n" + nonce.incrementAndGet());
            for (Any a : resources.get(type)) {
                if (names.isEmpty() || names.contains(Resources.nameOf(a))) {
                    r.addResources(a);
                }
            }
            synchronized (this) {
                out.onNext(r.build());
            }
        }

        @Override
        public void onError(Throwable t) {
            streams.remove(this);
        }

        @Override
        public void onCompleted() {
            streams.remove(this);
            out.onCompleted();
        }
    }
}
