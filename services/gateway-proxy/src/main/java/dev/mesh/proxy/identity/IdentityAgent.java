package dev.mesh.proxy.identity;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs a {@link CertificateRotator} on its own thread (the CA call blocks; it never runs on an event loop),
 * each step at the delay the previous one asked for.
 */
public final class IdentityAgent implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(IdentityAgent.class);

    private final CertificateRotator rotator;
    private final CertificateStore store;
    private final AutoCloseable ca;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-identity");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<WorkloadCertificate> first = new CompletableFuture<>();

    /** @param ca closed with the agent (the CA client's channel) */
    public IdentityAgent(CertificateRotator rotator, CertificateStore store, AutoCloseable ca) {
        this.rotator = rotator;
        this.store = store;
        this.ca = ca;
        store.current().ifPresent(first::complete);
        store.addListener(first::complete);
    }

    public CertificateStore store() {
        return store;
    }

    /** Starts the steps; {@link #firstCertificate()} completes when the first certificate is in the store. */
    public IdentityAgent start() {
        executor.execute(this::step);
        return this;
    }

    public CompletableFuture<WorkloadCertificate> firstCertificate() {
        return first;
    }

    private void step() {
        Duration next;
        try {
            next = rotator.runOnce();
        } catch (RuntimeException e) {
            LOG.errorf(e, "workload certificate rotation step failed; trying again in 5 s");
            next = Duration.ofSeconds(5);
        }
        try {
            executor.schedule(this::step, Math.max(0, next.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closed while this step ran
        }
    }

    public CertificateRotator rotator() {
        return rotator;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            ca.close();
        } catch (Exception e) {
            LOG.debugf("closing the CA client: %s", e.getMessage());
        }
    }
}
