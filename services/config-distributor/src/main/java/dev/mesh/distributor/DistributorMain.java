package dev.mesh.distributor;

import dev.mesh.distributor.config.DistributorConfig;
import dev.mesh.distributor.grpc.AdsRegistry;
import dev.mesh.distributor.grpc.AdsService;
import dev.mesh.distributor.grpc.XdsTls;
import dev.mesh.distributor.kube.KubeWatcher;
import dev.mesh.distributor.kube.MeshStore;
import dev.mesh.distributor.translate.ClusterTranslator;
import dev.mesh.distributor.translate.ProxyTranslator;
import dev.mesh.distributor.translate.MeshTls;
import dev.mesh.distributor.xds.MeshConfigWatcher;
import dev.mesh.distributor.xds.ResourceInterner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Wires the pipeline: watch → mesh snapshot → translate → per-proxy config → ADS push. Thin: the
 * work is in the classes it connects.
 */
@Singleton
public class DistributorMain {

    private static final Logger LOG = Logger.getLogger(DistributorMain.class);
    /** How often the mTLS serving certificate, key and root are read again. */
    private static final java.time.Duration TLS_RELOAD = java.time.Duration.ofSeconds(30);

    private final DistributorConfig config;
    private final KubernetesClient client;
    private final MeterRegistry meters;
    private final AdsRegistry registry = new AdsRegistry();
    private ScheduledExecutorService storeExecutor;
    private ExecutorService workers;
    private MeshConfigWatcher watcher;
    private KubeWatcher kube;
    private Server server;
    private Server tlsServer;
    private XdsTls xdsTls;

    DistributorMain(DistributorConfig config, KubernetesClient client, MeterRegistry meters) {
        this.config = config;
        this.client = client;
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        workers = Executors.newFixedThreadPool(config.pushThreads(), daemon("xds-push"));
        storeExecutor = Executors.newSingleThreadScheduledExecutor(daemon("mesh-store"));
        MeshTls tls = new MeshTls(config.trustDomain(), config.enableAutoMtls());
        watcher = new MeshConfigWatcher(new ProxyTranslator(new ClusterTranslator(tls), tls,
                new ResourceInterner()), workers, config.domainSuffix(), config.rootNamespace());
        MeshStore store = new MeshStore(storeExecutor, config.debounce(), config.debounceMax(), watcher);
        kube = new KubeWatcher(client, store);
        kube.start();
        AdsService ads = new AdsService(watcher, workers, registry, meters, config.pushConcurrency(),
                Clock.systemUTC());
        try {
            server = Grpc.newServerBuilderForPort(config.xdsPort(), InsecureServerCredentials.create())
                    .addService(ads).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve ADS on port " + config.xdsPort(), e);
        }
        LOG.infof("ADS serving on port %d", server.getPort());
        startTls(ads);
    }

    /** The same ADS over mutual TLS, when the serving certificate is there; said plainly when it is not. */
    private void startTls(AdsService ads) {
        Path cert = Path.of(config.xdsTlsCertFile());
        Path key = Path.of(config.xdsTlsKeyFile());
        Path root = Path.of(config.xdsTlsRootFile());
        if (!Files.exists(cert) && !Files.exists(key)) {
            LOG.warnf("not serving ADS over mutual TLS on port %d: no serving certificate at %s (mount the"
                    + " distributor's certificate and key, signed by the mesh root, and the root at %s)",
                    config.xdsTlsPort(), cert, root);
            return;
        }
        xdsTls = XdsTls.fromFiles(cert, key, root, config.trustDomain(), TLS_RELOAD, storeExecutor);
        try {
            tlsServer = Grpc.newServerBuilderForPort(config.xdsTlsPort(), xdsTls.credentials())
                    .addService(ads).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve ADS over mutual TLS on port " + config.xdsTlsPort(), e);
        }
        LOG.infof("ADS serving over mutual TLS on port %d (clients of trust domain %s)", tlsServer.getPort(),
                config.trustDomain());
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (server != null) {
            server.shutdown().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (tlsServer != null) {
            tlsServer.shutdown().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (xdsTls != null) {
            try {
                xdsTls.close();
            } catch (Exception e) {
                LOG.debugf(e, "stopping the mTLS certificate reload");
            }
        }
        if (kube != null) {
            kube.close();
        }
        if (workers != null) {
            workers.shutdownNow();
            storeExecutor.shutdownNow();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    public AdsRegistry registry() {
        return registry;
    }

    public MeshConfigWatcher watcher() {
        return watcher;
    }

    /** Ready once every watch has listed its kind and the ADS server listens. */
    public boolean ready() {
        return server != null && kube != null && kube.hasSynced() && watcher.index() != null;
    }

    /** The port ADS over mutual TLS listens on, or -1 when it is not served (no certificate). */
    public int xdsTlsPort() {
        return tlsServer == null ? -1 : tlsServer.getPort();
    }

    /** The port ADS listens on (the configured one, or the one chosen when it is 0). */
    public int xdsPort() {
        return server.getPort();
    }
}
