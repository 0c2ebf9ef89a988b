package dev.mesh.proxy.xds;

import com.google.rpc.Code;
import dev.mesh.proxy.model.ListenerView;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Envoy v3 ADS client, state of the world. Subscribes to every cluster and listener, then to the endpoints
 * and route tables those name; validates each response as a whole, ACKs it and hands the consistent
 * per-listener views to {@code onApply}, or NACKs it with the problems found and keeps the last good
 * config. Reconnects with jittered exponential backoff; saves each applied config to disk and, when no
 * config can be had from the control plane at start, applies the saved one.
 *
 * <p>All state lives on {@code executor}, a single thread: gRPC callbacks only hand work over to it.
 */
public final class AdsClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AdsClient.class);

    /** What the data plane is told on every apply. */
    public record Applied(Map<String, ListenerView> views, Map<String, XdsState.Accepted> resources, Instant at,
            boolean fromSavedFile, boolean warm) {}

    private final ManagedChannel channel;
    private final Node node;
    private final ScheduledExecutorService executor;
    private final Backoff backoff;
    private final SavedConfig saved;
    private final Duration initialFetchTimeout;
    private final Clock clock;
    private final Consumer<Applied> onApply;

    private final XdsState state = new XdsState();
    private final Map<String, String> nonces = new HashMap<>();
    private final Map<String, Set<String>> subscribed = new HashMap<>();
    private StreamObserver<DiscoveryRequest> requests;
    private Object currentStream;
    private boolean appliedOnce;
    private boolean savedTried;
    private boolean closed;
    private volatile boolean connected;

    public AdsClient(ManagedChannel channel, Node node, ScheduledExecutorService executor, Backoff backoff,
            SavedConfig saved, Duration initialFetchTimeout, Clock clock, Consumer<Applied> onApply) {
        this.channel = channel;
        this.node = node;
        this.executor = executor;
        this.backoff = backoff;
        this.saved = saved;
        this.initialFetchTimeout = initialFetchTimeout;
        this.clock = clock;
        this.onApply = onApply;
    }

    public void start() {
        executor.execute(this::connect);
        executor.schedule(() -> {
            if (!appliedOnce) {
                LOG.infof("no config from the control plane within %s; trying the saved config", initialFetchTimeout);
                applySaved();
            }
        }, initialFetchTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean connected() {
        return connected;
    }

    private void connect() {
        if (closed) {
            return;
        }
        Object stream = new Object();
        currentStream = stream;
        nonces.clear();
        subscribed.clear();
        requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse response) {
                run(() -> onResponse(stream, response));
            }

            @Override
            public void onError(Throwable t) {
                run(() -> onClosed(stream, t));
            }

            @Override
            public void onCompleted() {
                run(() -> onClosed(stream, null));
            }
        });
        subscribe(XdsState.CDS, Set.of());
        subscribe(XdsState.LDS, Set.of());
        if (!state.isEmpty()) {
            resubscribeDependents();
        }
    }

    /** Hands gRPC callbacks to the executor; after {@link #close()} there is nothing left to do with them. */
    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debugf("ADS client closed; dropping a stream event");
        }
    }

    private void onResponse(Object stream, DiscoveryResponse response) {
        if (stream != currentStream) {
            return;
        }
        if (!connected) {
            connected = true;
            backoff.reset();
            LOG.infof("connected to the control plane as %s", node.getId());
        }
        String type = response.getTypeUrl();
        nonces.put(type, response.getNonce());
        List<String> problems = state.accept(type, response.getVersionInfo(), response.getResourcesList());
        if (!problems.isEmpty()) {
            String reason = String.join("; ", problems);
            LOG.warnf("rejecting %s version %s: %s", shortType(type), response.getVersionInfo(), reason);
            send(type, reason);
            return;
        }
        send(type, null);
        resubscribeDependents();
        apply(false);
    }

    /** Follows CDS and LDS: subscribe to exactly the endpoints and route tables they name. */
    private void resubscribeDependents() {
        Set<String> eds = state.edsNames();
        if (!eds.equals(subscribed.get(XdsState.EDS))) {
            subscribe(XdsState.EDS, eds);
        }
        Set<String> rds = state.rdsNames();
        if (!rds.equals(subscribed.get(XdsState.RDS))) {
            subscribe(XdsState.RDS, rds);
        }
    }

    private void subscribe(String type, Set<String> names) {
        subscribed.put(type, Set.copyOf(names));
        send(type, null);
    }

    private void send(String type, String nackReason) {
        XdsState.Accepted a = state.accepted(type);
        DiscoveryRequest.Builder req = DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type)
                .setVersionInfo(a == null || !nonces.containsKey(type) ? "" : a.version())
                .setResponseNonce(nonces.getOrDefault(type, ""))
                .addAllResourceNames(subscribed.getOrDefault(type, Set.of()));
        if (nackReason != null) {
            req.setErrorDetail(com.google.rpc.Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(nackReason));
        }
        requests.onNext(req.build());
    }

    private void apply(boolean fromSavedFile) {
        Map<String, ListenerView> views = state.assemble();
        Map<String, XdsState.Accepted> resources = new HashMap<>();
        for (String t : XdsState.TYPES) {
            XdsState.Accepted a = state.accepted(t);
            if (a != null) {
                resources.put(t, a);
            }
        }
        appliedOnce = true;
        onApply.accept(new Applied(views, Map.copyOf(resources), clock.instant(), fromSavedFile, state.warm()));
        if (!fromSavedFile) {
            try {
                saved.save(state);
            } catch (IOException e) {
                LOG.warnf(e, "cannot save the applied config to %s", saved.path());
            }
        }
    }

    private void onClosed(Object stream, Throwable error) {
        if (stream != currentStream || closed) {
            return;
        }
        connected = false;
        currentStream = null;
        if (!appliedOnce) {
            applySaved();
        }
        Duration delay = backoff.next();
        LOG.infof("ADS stream to the control plane closed (%s); reconnecting in %d ms",
                error == null ? "completed" : error.getMessage(), delay.toMillis());
        executor.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Once per process: a saved file that was missing or unreadable at start will not appear later. */
    private void applySaved() {
        if (appliedOnce || savedTried) {
            return;
        }
        savedTried = true;
        List<DiscoveryResponse> responses;
        try {
            responses = saved.load();
        } catch (IOException e) {
            LOG.warnf(e, "cannot read the saved config %s", saved.path());
            return;
        }
        if (responses.isEmpty()) {
            LOG.infof("no saved config at %s; waiting for the control plane", saved.path());
            return;
        }
        for (DiscoveryResponse r : responses) {
            List<String> problems = state.accept(r.getTypeUrl(), r.getVersionInfo(), r.getResourcesList());
            if (!problems.isEmpty()) {
                LOG.warnf("saved config %s has an invalid %s: %s", saved.path(), shortType(r.getTypeUrl()), problems);
            }
        }
        LOG.infof("serving the saved config from %s until the control plane answers", saved.path());
        apply(true);
    }

    private static String shortType(String typeUrl) {
        return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
    }

    @Override
    public void close() {
        executor.execute(() -> {
            closed = true;
            if (requests != null && currentStream != null) {
                requests.onCompleted();
            }
            currentStream = null;
        });
    }
}
