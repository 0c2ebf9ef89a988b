package dev.mesh.ca;

import dev.mesh.ca.auth.CallerAuthenticator;
import dev.mesh.ca.auth.ClientCertificateVerifier;
import dev.mesh.ca.auth.TokenValidator;
import dev.mesh.ca.grpc.CaGrpcServer;
import dev.mesh.ca.grpc.ServingCertificate;
import dev.mesh.ca.kube.CaSecretStore;
import dev.mesh.ca.kube.CaSecretWatcher;
import dev.mesh.ca.kube.RootCertPublisher;
import dev.mesh.ca.kube.ServingSecretIssuer;
import dev.mesh.ca.kube.TokenReviewValidator;
import dev.mesh.ca.metrics.CaMetrics;
import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.model.CaSettings;
import dev.mesh.ca.pki.CertificateAuthority;
import dev.mesh.ca.pki.CurrentKeyMaterial;
import dev.mesh.ca.pki.Pem;
import dev.mesh.ca.pki.SelfSignedRoot;
import dev.mesh.ca.pki.X509CertificateSigner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One CA instance, assembled from plain parts: loads (or creates) the key material, then serves
 * gRPC, watches the CA Secrets and publishes the root. Until the key material is loaded it retries
 * with backoff and is not ready. All state changes run on one control thread.
 */
public final class CaRuntime implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CaRuntime.class);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final KubernetesClient client;
    private final CaSettings settings;
    private final Clock clock;
    private final CurrentKeyMaterial keyMaterial = new CurrentKeyMaterial();
    private final X509CertificateSigner signer;
    private final CertificateAuthority authority;
    private final CaSecretStore store;
    private final ServingCertificate serving;
    private final ServingSecretIssuer distributorSecret;
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(named("citadel-ca-control"));
    private final ExecutorService signing = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
            named("citadel-ca-grpc"));

    // Touched only on the control thread.
    private CaGrpcServer server;
    private CaSecretWatcher watcher;
    private RootCertPublisher publisher;
    private long backoffMillis = 500;
    private volatile boolean ready;
    private volatile int boundPort = -1;

    /** With {@code tokens} null, tokens are checked by TokenReview against {@code client}'s API server. */
    public CaRuntime(KubernetesClient client, CaSettings settings, Clock clock, MeterRegistry registry, TokenValidator tokens) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.signer = new X509CertificateSigner(clock);
        TokenValidator validator = tokens != null ? tokens
                : new TokenReviewValidator(client, settings.tokenAudience(), settings.trustDomain());
        CaMetrics metrics = new CaMetrics(registry, clock, keyMaterial::peek);
        this.authority = new CertificateAuthority(
                new CallerAuthenticator(validator, new ClientCertificateVerifier(keyMaterial, settings.trustDomain(), clock)),
                signer, keyMaterial, settings, metrics);
        this.store = new CaSecretStore(client, settings.namespace(), settings.trustDomain(), settings.rootTtl(), new SelfSignedRoot(clock));
        this.serving = new ServingCertificate(settings.serverDnsNames(), clock);
        this.distributorSecret = settings.distributorSecret().isBlank() ? null : new ServingSecretIssuer(client,
                settings.namespace(), settings.distributorSecret(), settings.distributorDnsNames(), clock);
        keyMaterial.onChange(this::materialChanged);
    }

    /** Starts loading key material; the gRPC server listens on {@code host:port} once it is loaded. */
    public void start(String host, int port) {
        control.execute(() -> load(host, port));
    }

    private void load(String host, int port) {
        try {
            keyMaterial.set(store.load(keyMaterial.peek()));
            backoffMillis = 500;
        } catch (RuntimeException e) {
            if (server == null || !(e instanceof IllegalArgumentException)) {
                LOG.warnf("could not load the CA key material from namespace %s: %s; retrying in %d ms",
                        settings.namespace(), e.getMessage(), backoffMillis);
                control.schedule(() -> load(host, port), backoffMillis, TimeUnit.MILLISECONDS);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            } else {
                LOG.errorf("CA Secret in namespace %s is unusable, keeping the key material in use: %s", settings.namespace(), e.getMessage());
            }
            return;
        }
        if (server == null) {
            try {
                startServing(host, port);
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not start serving on %s:%d; retrying in %d ms", host, port, backoffMillis);
                closeServing();
                control.schedule(() -> load(host, port), backoffMillis, TimeUnit.MILLISECONDS);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private void closeServing() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private void startServing(String host, int port) {
        CaKeyMaterial material = keyMaterial.get();
        server = new CaGrpcServer(host, port, serving, authority, signing).start();
        boundPort = server.port();
        watcher = new CaSecretWatcher(client, settings.namespace(), () -> control.execute(() -> load(host, port)));
        watcher.start();
        publisher = new RootCertPublisher(client, control, Pem.encode(material.root()));
        publisher.start();
        control.scheduleWithFixedDelay(this::renewServingIfDue, 1, 1, TimeUnit.HOURS);
        if (distributorSecret != null) {
            distributorSecret.ensure(material);
            control.scheduleWithFixedDelay(() -> keyMaterial.peek().ifPresent(distributorSecret::ensure), 1, 1,
                    TimeUnit.MINUTES);
        }
        ready = true;
        LOG.infof("citadel-ca serving on %s:%d with %s (root %s, expires %s)", host, boundPort, material.source(),
                material.root().getSubjectX500Principal(), material.root().getNotAfter().toInstant());
    }

    private void materialChanged(CaKeyMaterial material) {
        serving.issue(material);
        if (publisher != null) {
            publisher.rootChanged(Pem.encode(material.root()));
        }
        if (server != null && distributorSecret != null) {
            distributorSecret.ensure(material);
        }
        LOG.infof("CA key material now from Secret %s/%s, root %s", settings.namespace(), material.source(),
                material.root().getSubjectX500Principal());
    }

    private void renewServingIfDue() {
        keyMaterial.peek().filter(m -> serving.dueForRenewal()).ifPresent(serving::issue);
    }

    public boolean isReady() {
        return ready;
    }

    /** The port the gRPC server is bound to, or -1 before it started. */
    public int grpcPort() {
        return boundPort;
    }

    public CurrentKeyMaterial keyMaterial() {
        return keyMaterial;
    }

    public X509CertificateSigner signer() {
        return signer;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        ready = false;
        try {
            control.submit(this::closeServing).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("citadel-ca did not stop cleanly: %s", e.getMessage());
        }
        control.shutdownNow();
        signing.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
