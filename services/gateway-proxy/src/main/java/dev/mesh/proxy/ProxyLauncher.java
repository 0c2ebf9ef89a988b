package dev.mesh.proxy;

import dev.mesh.proxy.config.ProxyConfig;
import dev.mesh.proxy.identity.IdentityAgent;
import dev.mesh.proxy.identity.IdentityBootstrap;
import dev.mesh.proxy.identity.IdentityConfig;
import dev.mesh.proxy.telemetry.SpanExporter;
import dev.mesh.proxy.telemetry.TelemetryConfig;
import dev.mesh.proxy.xds.NodeIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Quarkus wiring only: builds the {@link GatewayProxy} from {@link ProxyConfig} and the pod's environment. */
@Singleton
class ProxyLauncher {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProxyLauncher.class);

    private GatewayProxy proxy;

    /** The workload certificate agent, when mesh.proxy.identity.enabled. */
    private IdentityAgent identity;

    private Vertx dataPlane;

    private java.time.Duration drainDuration = java.time.Duration.ZERO;

    void onStart(@Observes StartupEvent event, ProxyConfig config, IdentityConfig identityConfig,
            TelemetryConfig telemetryConfig) throws Exception {
        if (!config.enabled()) {
            return;
        }
        drainDuration = config.terminationDrainDuration();
        // The data plane gets its own Vert.x, without Quarkus's per-request HTTP metrics and apart from the
        // agent's event loops: the proxy's own istio_* metrics are what counts for its traffic.
        // Native epoll when available: fewer copies, and sidecar capture needs it for SO_ORIGINAL_DST.
        dataPlane = Vertx.vertx(new VertxOptions().setMetricsOptions(new MetricsOptions().setEnabled(false))
                .setPreferNativeTransport(true));
        Vertx vertx = dataPlane;
        boolean sidecar = switch (config.mode()) {
            case "sidecar" -> true;
            case "router" -> false;
            default -> throw new IllegalArgumentException("mesh.proxy.mode: \"" + config.mode()
                    + "\" is not a mode; use router or sidecar");
        };
        LOG.infof("gateway-proxy in %s mode, native transport %s", config.mode(),
                vertx.isNativeTransportEnabled() ? "on" : "off (" + vertx.unavailableNativeTransportCause() + ")");
        String pod = orEnv(config.podName(), "POD_NAME", "gateway-proxy");
        NodeIdentity node = new NodeIdentity(config.mode(), pod, orEnv(config.podNamespace(), "POD_NAMESPACE", "default"),
                orEnv(config.instanceIp(), "INSTANCE_IP", "127.0.0.1"),
                NodeIdentity.parseLabels(orEnv(config.labels(), "POD_LABELS", "")), config.serviceAccount(),
                config.workloadName().orElse(NodeIdentity.workloadFromPodName(pod)), config.clusterId());
        proxy = new GatewayProxy(vertx, new GatewayProxy.Options(node, config.discoveryAddress(),
                Path.of(config.savedConfigPath()), config.initialFetchTimeout(), config.reconnectInitialBackoff(),
                config.reconnectMaxBackoff(), config.maxBufferedBodyBytes(), "127.0.0.1", config.adminPort(),
                config.healthPort(), config.prometheusPort(), sidecar, config.outboundPort(), config.inboundPort(),
                Path.of(config.credentialsDir()), config.accessLog()),
                Clock.systemUTC());
        // POST /quitquitquit ends the process the normal way: shutdown → drain → close (onStop).
        proxy.onQuit(() -> io.quarkus.runtime.Quarkus.asyncExit(0));
        if (identityConfig.enabled()) {
            // The workload certificate before serving: mutual TLS chains need it from their first connection.
            identity = IdentityBootstrap.start(IdentityBootstrap.Settings.from(identityConfig, node),
                    Clock.systemUTC(), identityConfig.initialTimeout());
            proxy.useIdentity(identity.store());
        }
        if (telemetryConfig.enabled() && telemetryConfig.address().filter(a -> !a.isBlank()).isPresent()) {
            proxy.exportTelemetry(new SpanExporter.Settings(telemetryConfig.address().get().trim(),
                    telemetryConfig.batchSize(), telemetryConfig.bufferSize(), telemetryConfig.flushInterval(),
                    telemetryConfig.exportTimeout()));
        }
        proxy.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The running proxy, or null when {@code mesh.proxy.enabled} is false. */
    GatewayProxy proxy() {
        return proxy;
    }

    void onStop(@Observes ShutdownEvent event) {
        if (proxy != null) {
            try {
                proxy.drain(drainDuration).toCompletionStage().toCompletableFuture()
                        .get(drainDuration.toMillis() + 2000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warnf("drain did not complete: %s", e.toString());
            }
            proxy.close();
        }
        if (identity != null) {
            identity.close();
        }
        if (dataPlane != null) {
            dataPlane.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    private static String orEnv(Optional<String> configured, String env, String fallback) {
        return configured.filter(s -> !s.isBlank()).orElseGet(() -> {
            String v = System.getenv(env);
            return v == null || v.isBlank() ? fallback : v;
        });
    }
}
