package dev.mesh.injector;

import dev.mesh.injection.Injector;
import dev.mesh.injector.config.InjectorConfig;
import dev.mesh.injector.http.AdmissionHandler;
import dev.mesh.injector.http.WebhookServer;
import dev.mesh.injector.kube.CaBundlePublisher;
import dev.mesh.injector.kube.NamespaceInformer;
import dev.mesh.injector.kube.NamespaceLabels;
import dev.mesh.injector.kube.SecretCaStore;
import dev.mesh.injector.kube.WebhookConfigurationCaBundle;
import dev.mesh.injector.metrics.InjectionMetrics;
import dev.mesh.injector.template.TemplateFile;
import dev.mesh.injector.tls.CaMaterial;
import dev.mesh.injector.tls.CaStore;
import dev.mesh.injector.tls.CertificateIssuer;
import dev.mesh.injector.tls.CertificateRotator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Wires the webhook's plain parts together at start and takes them down at shutdown. */
@Singleton
public class WebhookLifecycle {

    private static final Logger LOG = Logger.getLogger(WebhookLifecycle.class);

    private final InjectorConfig config;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final Instance<KubernetesClient> kubernetes;
    private WebhookServer server;
    private NamespaceInformer informer;
    private CertificateRotator rotator;
    private TemplateFile template;
    private volatile int port = -1;
    private long templateTimer = -1;
    private long certTimer = -1;

    public WebhookLifecycle(InjectorConfig config, Vertx vertx, MeterRegistry registry,
            Instance<KubernetesClient> kubernetes) {
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
        this.kubernetes = kubernetes;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        template = new TemplateFile(Path.of(config.templateFile()));
        template.refresh();
        NamespaceLabels namespaces;
        CaBundlePublisher publisher;
        CaStore caStore;
        if (config.kubernetes()) {
            KubernetesClient client = kubernetes.get();
            informer = new NamespaceInformer(client);
            informer.start();
            namespaces = informer;
            publisher = new WebhookConfigurationCaBundle(client, config.webhookConfigurationName());
            caStore = new SecretCaStore(client, config.namespace(), config.serviceName() + "-ca");
        } else {
            LOG.info("mesh.injector.kubernetes=false: no namespace labels, no caBundle write, CA of its own");
            namespaces = ns -> Map.of();
            publisher = ca -> { };
            caStore = Supplier::get;
        }
        Clock clock = Clock.systemUTC();
        CaMaterial ca = caStore.loadOrCreate(() -> CertificateIssuer.newCa(clock));
        rotator = new CertificateRotator(new CertificateIssuer(clock, config.certValidity(), ca,
                CertificateIssuer.serviceNames(config.serviceName(), config.namespace())), clock, publisher);
        AdmissionHandler handler = new AdmissionHandler(new Injector(), template, namespaces, config.namespace(),
                new InjectionMetrics(registry));
        server = new WebhookServer(vertx, handler, config.maxRequestBytes(), this::isServing);
        // The first certificate is installed by start(); later ones by updateCertificate().
        rotator.rotateIfDue(first -> { });
        port = server.start(config.webhookHost(), config.webhookPort(), rotator.current())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.infof("injector-webhook serving HTTPS on %s:%d (/inject, /healthz/ready)", config.webhookHost(), port);
        templateTimer = vertx.setPeriodic(config.templateCheckInterval().toMillis(),
                id -> vertx.executeBlocking(() -> template.refresh(), true));
        certTimer = vertx.setPeriodic(config.certCheckInterval().toMillis(),
                id -> vertx.executeBlocking(() -> rotator.rotateIfDue(
                        next -> server.updateCertificate(next).onFailure(e ->
                                LOG.errorf("cannot install the rotated serving certificate: %s", e.getMessage()))),
                        true));
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        vertx.cancelTimer(templateTimer);
        vertx.cancelTimer(certTimer);
        if (informer != null) {
            informer.close();
        }
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        port = -1;
    }

    /** True once the HTTPS server listens. */
    public boolean isServing() {
        return port > 0;
    }

    /** The HTTPS port actually bound (differs from the configured one when that is 0), or -1. */
    public int port() {
        return port;
    }

    /** The CA the serving certificate chains to, PEM. */
    public String caPem() {
        return rotator.current().caPem();
    }
}
