package dev.mesh.proxy;

import dev.mesh.proxy.admin.AdminServers;
import dev.mesh.proxy.capture.CaptureServers;
import dev.mesh.proxy.capture.CaptureTable;
import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.tls.ControlPlaneChannel;
import dev.mesh.proxy.tls.InboundSecurity;
import dev.mesh.proxy.tls.MeshInbound;
import dev.mesh.proxy.tls.MeshOutbound;
import dev.mesh.proxy.tls.SecretResolver;
import dev.mesh.proxy.tls.UpstreamHttpClients;
import dev.mesh.proxy.http.Balancers;
import dev.mesh.proxy.http.JsonAccessLog;
import dev.mesh.proxy.http.RequestObserver;
import dev.mesh.proxy.http.ListenerManager;
import dev.mesh.proxy.http.RouterHandler;
import dev.mesh.proxy.metrics.ProxyStats;
import dev.mesh.proxy.model.ListenerView;
import dev.mesh.proxy.telemetry.SpanExporter;
import dev.mesh.proxy.telemetry.SpanMapper;
import dev.mesh.proxy.xds.AdsClient;
import dev.mesh.proxy.xds.Backoff;
import dev.mesh.proxy.xds.NodeIdentity;
import dev.mesh.proxy.xds.SavedConfig;
import io.grpc.ManagedChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The proxy put together: ADS client → consistent listener views → listeners (router mode) or capture listeners
 * (sidecar mode) and the router on Vert.x, plus the health, Prometheus and admin servers. Plain class: Quarkus only constructs and closes it.
 */
public final class GatewayProxy implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(GatewayProxy.class);

    /**
     * Everything the proxy needs to know at start. Ports may be 0 (tests). {@code sidecar} turns on the capture
     * listeners on {@code outboundPort} and {@code inboundPort}. {@code credentialsDir} holds the certificates
     * that TLS listeners name by SDS secret ({@code <dir>/<name>/tls.crt}, {@code tls.key}). {@code accessLog}
     * writes a JSON line per request to stdout.
     */
    public record Options(NodeIdentity node, String discoveryAddress, Path savedConfig, Duration initialFetchTimeout,
            Duration reconnectInitialBackoff, Duration reconnectMaxBackoff, int maxBufferedBodyBytes, String adminHost,
            int adminPort, int healthPort, int prometheusPort, boolean sidecar, int outboundPort, int inboundPort,
            Path credentialsDir, boolean accessLog) {}

    private final Vertx vertx;
    private final Options options;
    private final Clock clock;
    private final ProxyStats stats = new ProxyStats();
    private final Balancers balancers;
    private final ScheduledExecutorService xdsExecutor;
    private final HttpClient http1;
    private final HttpClient http2;
    private final ListenerManager listeners;
    private final AdminServers admin;
    private final RouterHandler router;
    private final JsonAccessLog accessLog;
    private final CaptureServers capture;
    /** The request telemetry export, when {@link #exportTelemetry} turned it on. */
    private volatile SpanExporter telemetry;
    private volatile CaptureTable captureTable = CaptureTable.EMPTY;
    /** Mutual TLS of the applied config; EMPTY (plain text) until {@link #useIdentity} gives a certificate store. */
    private volatile MeshInbound meshInbound = MeshInbound.EMPTY;
    private volatile MeshOutbound meshOutbound = MeshOutbound.EMPTY;
    private volatile SecretResolver secrets;
    private volatile AdsClient.Applied meshTlsBuiltFor;
    private ManagedChannel channel;
    /** The workload certificate, when {@link #useIdentity} gave one: also the client certificate of ADS on 15012. */
    private CertificateStore certificates;
    private AdsClient ads;
    private volatile Map<String, ListenerView> views = Map.of();
    private volatile AdsClient.Applied applied;
    private volatile boolean ready;
    private volatile Runnable quitAction = () -> LOG.warn("POST /quitquitquit: nothing to quit in this process");
    private final long startedMillis = System.currentTimeMillis();

    public GatewayProxy(Vertx vertx, Options options, Clock clock) {
        this.vertx = vertx;
        this.options = options;
        this.clock = clock;
        this.balancers = new Balancers(clock);
        this.xdsExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xds-" + options.node().podName());
            t.setDaemon(true);
            return t;
        });
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(1024).setHttp2MaxSize(8).setMaxWaitQueueSize(-1);
        this.http1 = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setDecompressionSupported(false).setMaxRedirects(0), pool);
        this.http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setTcpNoDelay(true), pool);
        var node = options.node();
        this.router = new RouterHandler(vertx, http1, http2, balancers, stats,
                new RouterHandler.Settings(options.maxBufferedBodyBytes(), node.workloadName(), node.namespace(),
                        node.labels().getOrDefault("app", node.workloadName()), node.labels().get("version")),
                name -> views.get(name));
        router.useUpstreamTls(new UpstreamHttpClients(vertx, () -> meshOutbound, new HttpClientOptions()
                .setTcpNoDelay(true).setDecompressionSupported(false).setMaxRedirects(0), pool));
        this.accessLog = options.accessLog() ? new JsonAccessLog(System.out, 8192) : null;
        if (accessLog != null) {
            router.observe(accessLog);
        }
        int eventLoops = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.listeners = new ListenerManager(vertx, router, eventLoops, options.credentialsDir());
        this.capture = options.sidecar() ? new CaptureServers(vertx, router, balancers, stats, () -> captureTable,
                new CaptureServers.Settings(options.outboundPort(), options.inboundPort(), eventLoops,
                        node.workloadName(), node.namespace())) : null;
        if (capture != null) {
            capture.useInboundSecurity(new InboundSecurity(() -> meshInbound, () -> secrets == null ? ""
                    : secrets.store().current().map(c -> c.spiffeId()).orElse("")), name -> views.get(name));
        }
        this.admin = new AdminServers(vertx, stats, this::ready, () -> applied, this::serverStats, () -> quitAction.run());
    }

    /**
     * Turns on mutual TLS with this workload certificate store (before {@link #start()}): inbound chains with TLS
     * terminate it, with RBAC and XFCC, and upstream endpoints get the TLS their clusters ask for.
     */
    public void useIdentity(CertificateStore store) {
        this.certificates = store;
        this.secrets = new SecretResolver(store);
        router.useLocalPrincipal(() -> store.current().map(c -> c.spiffeId()).orElse(""));
        AdsClient.Applied current = applied;
        if (current != null) {
            applyMeshTls(current);
        }
    }

    /**
     * Turns on the export of one OpenTelemetry span per request (before {@link #start()}), and its counters in
     * {@code /stats/prometheus}: {@code mesh_proxy_telemetry_spans_exported_total},
     * {@code mesh_proxy_telemetry_spans_dropped_total{reason="buffer_full"|"export_failed"}} and
     * {@code mesh_proxy_telemetry_spans_rejected_total}.
     */
    public SpanExporter exportTelemetry(SpanExporter.Settings settings) {
        var node = options.node();
        SpanExporter exporter = new SpanExporter(settings, SpanMapper.resource(node.workloadName(), node.namespace()));
        telemetry = exporter;
        stats.addCounter("mesh_proxy_telemetry_spans_exported_total", "", exporter::exported);
        stats.addCounter("mesh_proxy_telemetry_spans_dropped_total", "{reason=\"buffer_full\"}",
                exporter::droppedBufferFull);
        stats.addCounter("mesh_proxy_telemetry_spans_dropped_total", "{reason=\"export_failed\"}",
                exporter::droppedExportFailed);
        stats.addCounter("mesh_proxy_telemetry_spans_rejected_total", "", exporter::rejected);
        router.observe(exporter);
        return exporter;
    }

    public Future<Void> start() {
        if (ControlPlaneChannel.usesTls(options.discoveryAddress()) && certificates == null) {
            return Future.failedFuture(new IllegalStateException("discovery address " + options.discoveryAddress()
                    + " is the mutual-TLS ADS port, which needs the workload certificate: set"
                    + " mesh.proxy.identity.enabled=true, or use the plain-text port 15010"));
        }
        if (capture != null && !vertx.isNativeTransportEnabled()) {
            return Future.failedFuture(new IllegalStateException("sidecar mode needs Netty's native epoll transport to "
                    + "read SO_ORIGINAL_DST, but it is not available: " + vertx.unavailableNativeTransportCause()
                    + " (Linux x86_64 with netty-transport-native-epoll, and VertxOptions.setPreferNativeTransport(true))"));
        }
        return admin.start(options.adminHost(), options.adminPort(), options.healthPort(), options.prometheusPort())
                .compose(v -> capture == null ? Future.succeededFuture() : capture.start())
                .onSuccess(v -> {
                    channel = ControlPlaneChannel.open(options.discoveryAddress(),
                            ControlPlaneChannel.usesTls(options.discoveryAddress()), certificates, clock);
                    ads = new AdsClient(channel, options.node().toNode(), xdsExecutor,
                            new Backoff(options.reconnectInitialBackoff(), options.reconnectMaxBackoff(), RandomGenerator.getDefault()),
                            new SavedConfig(options.savedConfig()), options.initialFetchTimeout(), clock, this::onApply);
                    ads.start();
                });
    }

    /** The TLS of the new config's inbound chains and upstream clusters, built once per config. */
    private void applyMeshTls(AdsClient.Applied next) {
        SecretResolver resolver = secrets;
        if (resolver == null || meshTlsBuiltFor == next) {
            return;
        }
        meshTlsBuiltFor = next;
        MeshInbound inbound = MeshInbound.from(resources(next, "envoy.config.listener.v3.Listener"), resolver, clock);
        MeshOutbound outbound = MeshOutbound.from(resources(next, "envoy.config.cluster.v3.Cluster"),
                resources(next, "envoy.config.endpoint.v3.ClusterLoadAssignment"), resolver, clock);
        inbound.errors().forEach(e -> LOG.warnf("inbound TLS: %s; its connections are refused", e));
        outbound.errors().forEach(e -> LOG.warnf("upstream TLS: %s; its connections fail", e));
        meshInbound = inbound;
        meshOutbound = outbound;
    }

    private static java.util.List<com.google.protobuf.Any> resources(AdsClient.Applied applied, String type) {
        var accepted = applied.resources().get("type.googleapis.com/" + type);
        return accepted == null ? java.util.List.of() : accepted.resources();
    }

    /** Runs on the xDS executor: swap the views first so requests see the new config, then (un)bind sockets. */
    private void onApply(AdsClient.Applied next) {
        views = next.views();
        captureTable = CaptureTable.of(next.views(), options.outboundPort(), options.inboundPort());
        applyMeshTls(next);
        Set<String> clusters = new HashSet<>();
        next.views().values().forEach(v -> clusters.addAll(v.clusters().keySet()));
        balancers.retain(clusters);
        try {
            listeners.reconcile(next.views()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Bind failures are logged per listener; a slow bind must not stall xDS forever.
            LOG.warnf("listeners not all bound after applying the config: %s", e.getMessage());
        }
        applied = next;
        applyMeshTls(next);
        if (next.warm()) {
            ready = true;
        }
    }

    /** Ready once a first complete config is applied, from the control plane or the saved file, until it drains. */
    public boolean ready() {
        return ready && !router.drain().draining();
    }

    /**
     * Graceful drain (SIGTERM): not ready from now on, new connections closed as accepted, HTTP/2 clients told to
     * go away, HTTP/1.1 responses with {@code connection: close}; completes when the requests in flight have
     * finished or {@code bound} has passed, whichever is first. The caller then closes the proxy.
     */
    public Future<Void> drain(Duration bound) {
        router.drain().start(bound);
        LOG.infof("draining: %d requests in flight, waiting up to %s", router.drain().inFlight(), bound);
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        long deadline = System.nanoTime() + bound.toNanos();
        vertx.setPeriodic(10, 20, timer -> {
            long left = router.drain().inFlight();
            if (left <= 0 || System.nanoTime() >= deadline) {
                vertx.cancelTimer(timer);
                if (left > 0) {
                    LOG.warnf("drain bound %s reached with %d requests still in flight; closing them", bound, left);
                }
                done.tryComplete();
            }
        });
        return done.future();
    }

    /** What {@code POST /quitquitquit} does; the launcher makes it drain and exit the process. */
    public void onQuit(Runnable action) {
        this.quitAction = action;
    }

    /** The server-level numbers of {@code /stats}, Envoy's names where Envoy has one. */
    private Map<String, Long> serverStats() {
        Map<String, Long> out = new java.util.HashMap<>();
        boolean draining = router.drain().draining();
        out.put("server.live", ready() ? 1L : 0L);
        out.put("server.state", draining ? 1L : ready ? 0L : 2L);
        out.put("server.uptime", (System.currentTimeMillis() - startedMillis) / 1000);
        out.put("http.downstream_rq_active", router.drain().inFlight());
        out.put("control_plane.connected_state", connectedToControlPlane() ? 1L : 0L);
        AdsClient.Applied a = applied;
        out.put("listener_manager.total_listeners_active", a == null ? 0L : (long) a.views().size());
        Set<String> clusters = new HashSet<>();
        if (a != null) {
            a.views().values().forEach(v -> clusters.addAll(v.clusters().keySet()));
        }
        out.put("cluster_manager.active_clusters", (long) clusters.size());
        if (accessLog != null) {
            out.put("access_log.dropped", accessLog.dropped());
        }
        SpanExporter exporter = telemetry;
        if (exporter != null) {
            out.put("tracing.opentelemetry.spans_sent", exporter.exported());
            out.put("tracing.opentelemetry.spans_dropped", exporter.droppedBufferFull() + exporter.droppedExportFailed());
        }
        if (capture != null) {
            out.put("capture.not_redirected", capture.notRedirected());
        }
        return out;
    }

    /** Requests accepted and not yet answered. */
    public long inFlight() {
        return router.drain().inFlight();
    }

    public boolean connectedToControlPlane() {
        return ads != null && ads.connected();
    }

    public AdsClient.Applied applied() {
        return applied;
    }

    /** Adds an observer of every finished request, e.g. a telemetry exporter; it must not block. */
    public void observe(RequestObserver observer) {
        router.observe(observer);
    }

    public ProxyStats stats() {
        return stats;
    }

    public int healthPort() {
        return admin.healthPort();
    }

    public int prometheusPort() {
        return admin.prometheusPort();
    }

    public int adminPort() {
        return admin.adminPort();
    }

    @Override
    public void close() {
        if (ads != null) {
            ads.close();
        }
        try {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            xdsExecutor.shutdown();
            xdsExecutor.awaitTermination(5, TimeUnit.SECONDS);
            Future.join(listeners.close(), admin.close(), http1.close(), http2.close(),
                    capture == null ? Future.succeededFuture() : capture.close())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (accessLog != null) {
                accessLog.close();
            }
            if (telemetry != null) {
                telemetry.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("closing the proxy failed: " + e.getMessage(), e);
        }
    }
}
