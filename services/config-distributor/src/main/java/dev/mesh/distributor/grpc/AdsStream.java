package dev.mesh.distributor.grpc;

import dev.mesh.distributor.xds.ConfigWatcher;
import dev.mesh.distributor.xds.ProxyNode;
import dev.mesh.distributor.xds.ProxySnapshot;
import dev.mesh.distributor.xds.TypeUrl;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * One ADS stream of one proxy. Everything that changes its state (requests, new snapshots, flow
 * control) runs on its {@link SerialExecutor}, so the protocol state needs no locks.
 *
 * <p>Bounded by construction: a stream holds at most one pending push per resource type. A new
 * snapshot replaces the one a slow proxy has not taken yet, so a proxy that reads slowly gets the
 * latest config, not a backlog.
 */
abstract class AdsStream<Q, R> implements StreamObserver<Q> {

    private static final Logger LOG = Logger.getLogger(AdsStream.class);

    protected final ServerCallStreamObserver<R> out;
    protected final SerialExecutor serial;
    protected final AdsMetrics metrics;
    protected final Clock clock;
    private final ConfigWatcher watcher;
    private final AdsRegistry registry;
    private final PushThrottle throttle;
    private final Instant connectedAt;
    private final Set<String> pending = new LinkedHashSet<>();
    private long nonces;

    protected ProxyNode node;
    protected ProxySnapshot snapshot;
    private Instant snapshotAt;
    private AutoCloseable watch;
    private boolean closed;
    private boolean holdingPermit;
    private boolean awaitingPermit;
    private volatile SyncStatus status;

    AdsStream(StreamObserver<R> responses, Executor executor, ConfigWatcher watcher, AdsRegistry registry,
            PushThrottle throttle, AdsMetrics metrics, Clock clock) {
        this.out = (ServerCallStreamObserver<R>) responses;
        this.throttle = throttle;
        this.serial = new SerialExecutor(executor);
        this.watcher = watcher;
        this.registry = registry;
        this.metrics = metrics;
        this.clock = clock;
        this.connectedAt = clock.instant();
        out.setOnReadyHandler(() -> serial.execute(this::flush));
        out.setOnCancelHandler(() -> serial.execute(this::close));
    }

    /** What a stream tracks for each resource type, whatever the protocol. */
    protected abstract static class TypeState {
        boolean requested;
        boolean wildcard;
        boolean mustRespond;
        String sentVersion = "";
        String sentNonce = "";
        String ackedVersion = "";
        String lastNack = "";
        String nackedVersion = "";

        /** How many resources of the type the proxy has been sent. */
        abstract int resources();
    }

    /** Handles one request, on the serial executor. */
    protected abstract void handle(Q request);

    /** The state of each type the proxy has asked about, in the order it asked. */
    protected abstract Map<String, ? extends TypeState> types();

    /** Sends what type {@code typeUrl} needs now, if anything. Called only when the stream can take it. */
    protected abstract void push(String typeUrl);

    /** The types this proxy has asked for. */
    private Set<String> requestedTypes() {
        Set<String> requested = new LinkedHashSet<>();
        types().forEach((type, state) -> {
            if (state.requested) {
                requested.add(type);
            }
        });
        return requested;
    }

    private Map<String, SyncStatus.TypeStatus> typeStatus() {
        Map<String, SyncStatus.TypeStatus> status = new java.util.LinkedHashMap<>();
        types().forEach((type, s) -> status.put(TypeUrl.shortName(type), new SyncStatus.TypeStatus(s.sentVersion,
                s.sentNonce, s.ackedVersion, s.resources(), s.lastNack, s.nackedVersion)));
        return status;
    }

    /** The type a request is about; an aggregated stream's requests must say. */
    protected static String typeOf(String typeUrl) {
        if (typeUrl.isEmpty()) {
            throw new IllegalArgumentException("a request on an aggregated stream must name its type_url");
        }
        return typeUrl;
    }

    protected abstract String protocol();

    @Override
    public final void onNext(Q request) {
        serial.execute(() -> {
            if (closed) {
                return;
            }
            try {
                handle(request);
            } catch (IllegalArgumentException e) {
                LOG.warnf("ADS stream of %s refused: %s", node == null ? "an unidentified proxy" : node.id(),
                        e.getMessage());
                close();
                out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            }
            publishStatus();
        });
    }

    @Override
    public final void onError(Throwable t) {
        serial.execute(this::close);
    }

    @Override
    public final void onCompleted() {
        serial.execute(() -> {
            if (!closed) {
                close();
                out.onCompleted();
            }
        });
    }

    /** Identifies the proxy from its first request and starts watching its config. */
    protected final void identify(boolean hasNode, Node protoNode) {
        if (node != null) {
            return;
        }
        if (!hasNode) {
            throw new IllegalArgumentException("the first request of a stream must carry the node");
        }
        node = ProxyNode.from(protoNode);
        registry.add(this);
        metrics.connected.incrementAndGet();
        LOG.debugf("proxy %s connected (%s)", node.id(), protocol());
        watch = watcher.watch(node, next -> serial.execute(() -> onSnapshot(next)));
    }

    private void onSnapshot(ProxySnapshot next) {
        if (closed) {
            return;
        }
        snapshot = next;
        snapshotAt = clock.instant();
        for (String type : requestedTypes()) {
            schedule(type);
        }
    }

    /** Marks a type as needing a push and pushes what the stream can take now. */
    protected final void schedule(String typeUrl) {
        pending.add(typeUrl);
        flush();
    }

    private void flush() {
        if (closed || snapshot == null) {
            return;
        }
        List<String> order = new ArrayList<>(TypeUrl.PUSH_ORDER);
        pending.stream().filter(t -> !order.contains(t)).forEach(order::add);
        for (String type : order) {
            if (!pending.contains(type)) {
                continue;
            }
            if (!out.isReady()) {
                return; // resumed by the on-ready handler; the pending set keeps only the latest need
            }
            if (!holdingPermit) {
                if (awaitingPermit) {
                    return;
                }
                if (!throttle.tryAcquire(() -> serial.execute(this::permitGranted))) {
                    awaitingPermit = true;
                    return;
                }
                holdingPermit = true;
            }
            pending.remove(type);
            push(type);
        }
        // Everything pending went out; the permit goes back once gRPC has taken it all.
        if (holdingPermit && out.isReady()) {
            holdingPermit = false;
            throttle.release();
        }
        publishStatus();
    }

    private void permitGranted() {
        awaitingPermit = false;
        holdingPermit = true;
        if (closed) {
            holdingPermit = false;
            throttle.release();
            return;
        }
        flush();
        if (holdingPermit && pending.isEmpty() && out.isReady()) {
            holdingPermit = false;
            throttle.release();
        }
    }

    protected final String nextNonce() {
        return Long.toString(++nonces);
    }

    protected final void recordPush(String typeUrl) {
        metrics.pushed(typeUrl, snapshotAt == null ? Duration.ZERO : Duration.between(snapshotAt, clock.instant()));
    }

    /** The proxy rejected what it was last sent of {@code typeUrl}: it keeps its last good config. */
    protected final void nacked(String typeUrl, TypeState state, String reason) {
        state.lastNack = reason;
        state.nackedVersion = state.sentVersion;
        metrics.nacked(typeUrl);
        LOG.warnf("proxy %s rejected %s version %s: %s", node.id(), TypeUrl.shortName(typeUrl), state.sentVersion,
                reason);
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (holdingPermit) {
            holdingPermit = false;
            throttle.release();
        }
        if (node != null) {
            registry.remove(this);
            metrics.connected.decrementAndGet();
        }
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.warnf(e, "closing the config watch of %s", node.id());
            }
        }
    }

    private void publishStatus() {
        if (node != null) {
            status = new SyncStatus(node.id(), protocol(), connectedAt, typeStatus());
        }
    }

    /** The last published status; readable from any thread. */
    final SyncStatus status() {
        return status;
    }

    final ProxyNode proxy() {
        return node;
    }
}
