package dev.mesh.distributor.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import dev.mesh.distributor.xds.ConfigWatcher;
import dev.mesh.distributor.xds.ProxyNode;
import dev.mesh.distributor.xds.ProxySnapshot;
import dev.mesh.distributor.xds.TypeUrl;
import dev.mesh.distributor.xds.XdsResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ADS protocol over a real gRPC server and client on loopback, with a hand-written config source. */
class AdsServiceTest {

    /** Serves whatever snapshot the test sets, to every proxy. */
    static final class FakeWatcher implements ConfigWatcher {
        final Map<String, ProxySnapshot> byProxy = new ConcurrentHashMap<>();
        final List<Map.Entry<ProxyNode, Consumer<ProxySnapshot>>> listeners = new CopyOnWriteArrayList<>();
        volatile ProxySnapshot current;

        @Override
        public AutoCloseable watch(ProxyNode node, Consumer<ProxySnapshot> listener) {
            Map.Entry<ProxyNode, Consumer<ProxySnapshot>> entry = Map.entry(node, listener);
            listeners.add(entry);
            if (current != null) {
                listener.accept(current);
            }
            return () -> listeners.remove(entry);
        }

        void set(XdsResource... resources) {
            current = ProxySnapshot.of(List.of(resources));
            listeners.forEach(l -> l.getValue().accept(current));
        }
    }

    /** A client side of one stream: what it received, in order. */
    static final class Received<T> implements StreamObserver<T> {
        final BlockingQueue<T> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

        @Override
        public void onNext(T value) {
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            errors.add(t);
        }

        @Override
        public void onCompleted() {
        }

        T next() throws InterruptedException {
            T value = messages.poll(5, TimeUnit.SECONDS);
            assertThat(value).as("a response within 5 s").isNotNull();
            return value;
        }

        void expectNothing() throws InterruptedException {
            assertThat(messages.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    private final FakeWatcher watcher = new FakeWatcher();
    private final AdsRegistry registry = new AdsRegistry();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ExecutorService executor;
    private Server server;
    private ManagedChannel channel;
    private AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub;

    @BeforeEach
    void start() throws Exception {
        executor = Executors.newFixedThreadPool(2);
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new AdsService(watcher, executor, registry, meters, 1, Clock.systemUTC()))
                .build().start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
                .build();
        stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        executor.shutdownNow();
    }

    static Node node(String pod) {
        return Node.newBuilder()
                .setId("sidecar~10.0.0.1~" + pod + ".demo~demo.svc.cluster.local")
                .setMetadata(Struct.newBuilder()
                        .putFields("NAMESPACE", Value.newBuilder().setStringValue("demo").build())
                        .putFields("LABELS", Value.newBuilder().setStructValue(Struct.newBuilder()
                                .putFields("app", Value.newBuilder().setStringValue("podinfo").build())).build()))
                .build();
    }

    static XdsResource cluster(String name, int connectTimeoutSeconds) {
        return XdsResource.of(name, Cluster.newBuilder().setName(name)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(connectTimeoutSeconds)).build());
    }

    static XdsResource endpoints(String name) {
        return XdsResource.of(name, ClusterLoadAssignment.newBuilder().setClusterName(name).build());
    }

    static List<String> names(DiscoveryResponse response) throws Exception {
        List<String> names = new ArrayList<>();
        for (var any : response.getResourcesList()) {
            names.add(any.unpack(Cluster.class).getName());
        }
        return names;
    }

    @Test
    void sotw_initialRequest_getsEveryCluster_andAckShowsInSyncz() throws Exception {
        watcher.set(cluster("outbound|80||a.demo.svc.cluster.local", 1), cluster("outbound|80||b.demo.svc.cluster.local", 1));
        Received<DiscoveryResponse> received = new Received<>();
        StreamObserver<DiscoveryRequest> requests = stub.streamAggregatedResources(received);
        requests.onNext(DiscoveryRequest.newBuilder().setNode(node("p1")).setTypeUrl(TypeUrl.CLUSTER).build());

        DiscoveryResponse response = received.next();
        assertThat(response.getTypeUrl()).isEqualTo(TypeUrl.CLUSTER);
        assertThat(names(response)).containsExactly("outbound|80||a.demo.svc.cluster.local",
                "outbound|80||b.demo.svc.cluster.local");

        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TypeUrl.CLUSTER)
                .setVersionInfo(response.getVersionInfo()).setResponseNonce(response.getNonce()).build());
        received.expectNothing();
        SyncStatus status = awaitStatus(s -> response.getVersionInfo().equals(s.types().get("CDS").ackedVersion()));
        assertThat(status.proxyId()).isEqualTo("sidecar~10.0.0.1~p1.demo~demo.svc.cluster.local");
        assertThat(status.types().get("CDS").resources()).isEqualTo(2);
        requests.onCompleted();
    }

    @Test
    void sotw_changedSnapshot_isPushedWithANewVersion_unchangedIsNot() throws Exception {
        watcher.set(cluster("c1", 1));
        Received<DiscoveryResponse> received = new Received<>();
        StreamObserver<DiscoveryRequest> requests = stub.streamAggregatedResources(received);
        requests.onNext(DiscoveryRequest.newBuilder().setNode(node("p1")).setTypeUrl(TypeUrl.CLUSTER).build());
        DiscoveryResponse first = received.next();
        ack(requests, first);

        watcher.set(cluster("c1", 1)); // same content: nothing to send
        received.expectNothing();

        watcher.set(cluster("c1", 2), cluster("c2", 1));
        DiscoveryResponse second = received.next();
        assertThat(second.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
        assertThat(names(second)).containsExactly("c1", "c2");
        assertThat(second.getResources(0).unpack(Cluster.class).getConnectTimeout().getSeconds()).isEqualTo(2);
        requests.onCompleted();
    }

    @Test
    void sotw_endpoints_onlyTheNamedOnesAreSent() throws Exception {
        watcher.set(endpoints("e1"), endpoints("e2"), endpoints("e3"));
        Received<DiscoveryResponse> received = new Received<>();
        StreamObserver<DiscoveryRequest> requests = stub.streamAggregatedResources(received);
        requests.onNext(DiscoveryRequest.newBuilder().setNode(node("p1")).setTypeUrl(TypeUrl.ENDPOINT)
                .addResourceNames("e1").addResourceNames("e3").build());
        DiscoveryResponse response = received.next();
        List<String> sent = new ArrayList<>();
        for (var any : response.getResourcesList()) {
            sent.add(any.unpack(ClusterLoadAssignment.class).getClusterName());
        }
        assertThat(sent).containsExactly("e1", "e3");
        requests.onCompleted();
    }

    @Test
    void sotw_nack_isRecordedWithItsReason_andOtherProxiesKeepGettingUpdates() throws Exception {
        watcher.set(cluster("c1", 1));
        Received<DiscoveryResponse> bad = new Received<>();
        StreamObserver<DiscoveryRequest> badRequests = stub.streamAggregatedResources(bad);
        badRequests.onNext(DiscoveryRequest.newBuilder().setNode(node("rejecting")).setTypeUrl(TypeUrl.CLUSTER).build());
        DiscoveryResponse rejected = bad.next();
        badRequests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TypeUrl.CLUSTER).setResponseNonce(rejected.getNonce())
                .setErrorDetail(Status.newBuilder().setCode(3).setMessage("cluster c1: unsupported field")).build());

        Received<DiscoveryResponse> good = new Received<>();
        StreamObserver<DiscoveryRequest> goodRequests = stub.streamAggregatedResources(good);
        goodRequests.onNext(DiscoveryRequest.newBuilder().setNode(node("accepting")).setTypeUrl(TypeUrl.CLUSTER).build());
        ack(goodRequests, good.next());

        SyncStatus nacked = awaitStatus(s -> s.proxyId().contains("rejecting") && !s.types().get("CDS").lastNack().isEmpty());
        assertThat(nacked.types().get("CDS").lastNack()).isEqualTo("cluster c1: unsupported field");
        assertThat(nacked.types().get("CDS").nackedVersion()).isEqualTo(rejected.getVersionInfo());
        assertThat(nacked.types().get("CDS").ackedVersion()).isEmpty();
        assertThat(meters.get("pilot_total_xds_rejects").tag("type", "CDS").counter().count()).isEqualTo(1.0);

        watcher.set(cluster("c1", 1), cluster("c9", 1));
        assertThat(names(good.next())).containsExactly("c1", "c9");
        assertThat(names(bad.next())).containsExactly("c1", "c9");
        badRequests.onCompleted();
        goodRequests.onCompleted();
    }

    @Test
    void delta_sendsOnlyWhatChanged_andNamesWhatWasRemoved() throws Exception {
        watcher.set(cluster("c1", 1), cluster("c2", 1));
        Received<DeltaDiscoveryResponse> received = new Received<>();
        StreamObserver<DeltaDiscoveryRequest> requests = stub.deltaAggregatedResources(received);
        requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node("p1")).setTypeUrl(TypeUrl.CLUSTER).build());
        DeltaDiscoveryResponse first = received.next();
        assertThat(first.getResourcesList()).extracting(r -> r.getName()).containsExactly("c1", "c2");
        requests.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(TypeUrl.CLUSTER)
                .setResponseNonce(first.getNonce()).build());

        watcher.set(cluster("c1", 1), cluster("c3", 1));
        DeltaDiscoveryResponse second = received.next();
        assertThat(second.getResourcesList()).extracting(r -> r.getName()).containsExactly("c3");
        assertThat(second.getRemovedResourcesList()).containsExactly("c2");
        requests.onCompleted();
    }

    @Test
    void delta_reconnectWithWhatItHas_getsOnlyTheDifference() throws Exception {
        XdsResource c1 = cluster("c1", 1);
        watcher.set(c1, cluster("c2", 1));
        Received<DeltaDiscoveryResponse> received = new Received<>();
        StreamObserver<DeltaDiscoveryRequest> requests = stub.deltaAggregatedResources(received);
        requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node("p1")).setTypeUrl(TypeUrl.CLUSTER)
                .putInitialResourceVersions("c1", c1.version()).build());
        DeltaDiscoveryResponse response = received.next();
        assertThat(response.getResourcesList()).extracting(r -> r.getName()).containsExactly("c2");
        requests.onCompleted();
    }

    @Test
    void malformedNodeId_isRefusedWithInvalidArgumentNamingIt() throws Exception {
        Received<DiscoveryResponse> received = new Received<>();
        StreamObserver<DiscoveryRequest> requests = stub.streamAggregatedResources(received);
        requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId("not-a-proxy-id"))
                .setTypeUrl(TypeUrl.CLUSTER).build());
        Throwable error = received.errors.poll(5, TimeUnit.SECONDS);
        assertThat(error).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) error).getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
        assertThat(error.getMessage()).contains("not-a-proxy-id");
        // the server is still serving others
        watcher.set(cluster("c1", 1));
        Received<DiscoveryResponse> other = new Received<>();
        stub.streamAggregatedResources(other)
                .onNext(DiscoveryRequest.newBuilder().setNode(node("p2")).setTypeUrl(TypeUrl.CLUSTER).build());
        assertThat(names(other.next())).containsExactly("c1");
    }

    @Test
    void pushThrottleOfOne_servesEveryProxyInTurn() throws Exception {
        watcher.set(cluster("c1", 1), endpoints("c1"));
        List<Received<DiscoveryResponse>> all = new ArrayList<>();
        List<StreamObserver<DiscoveryRequest>> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Received<DiscoveryResponse> received = new Received<>();
            StreamObserver<DiscoveryRequest> requests = stub.streamAggregatedResources(received);
            requests.onNext(DiscoveryRequest.newBuilder().setNode(node("p" + i)).setTypeUrl(TypeUrl.CLUSTER).build());
            requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TypeUrl.ENDPOINT).addResourceNames("c1").build());
            all.add(received);
            streams.add(requests);
        }
        for (Received<DiscoveryResponse> received : all) {
            List<String> types = List.of(received.next().getTypeUrl(), received.next().getTypeUrl());
            assertThat(types).containsExactlyInAnyOrder(TypeUrl.CLUSTER, TypeUrl.ENDPOINT);
        }
        streams.forEach(StreamObserver::onCompleted);
    }

    @Test
    void proxyWithoutConfigYet_waits_thenGetsItWhenItArrives() throws Exception {
        Received<DiscoveryResponse> received = new Received<>();
        StreamObserver<DiscoveryRequest> requests = stub.streamAggregatedResources(received);
        requests.onNext(DiscoveryRequest.newBuilder().setNode(node("early")).setTypeUrl(TypeUrl.CLUSTER).build());
        received.expectNothing();
        watcher.set(cluster("late", 1));
        assertThat(names(received.next())).containsExactly("late");
        requests.onCompleted();
    }

    private static void ack(StreamObserver<DiscoveryRequest> requests, DiscoveryResponse response) {
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(response.getTypeUrl())
                .setVersionInfo(response.getVersionInfo()).setResponseNonce(response.getNonce()).build());
    }

    private SyncStatus awaitStatus(java.util.function.Predicate<SyncStatus> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (SyncStatus s : registry.statuses()) {
                if (condition.test(s)) {
                    return s;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no proxy reached the expected state; statuses: " + registry.statuses());
    }
}
