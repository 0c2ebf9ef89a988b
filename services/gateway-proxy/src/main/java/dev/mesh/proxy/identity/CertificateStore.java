package dev.mesh.proxy.identity;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The proxy's current certificate, key and trusted roots (what Envoy calls the SDS secrets {@code default} and
 * {@code ROOTCA}). Readers take {@link #current()} on each TLS handshake; listeners hear of every change.
 */
public final class CertificateStore {

    private static final Logger LOG = Logger.getLogger(CertificateStore.class);

    private volatile WorkloadCertificate current;
    private final List<Consumer<WorkloadCertificate>> listeners = new CopyOnWriteArrayList<>();

    public CertificateStore() {
    }

    /** A store that starts with a certificate (tests, or a proxy given its certificate by files). */
    public static CertificateStore of(WorkloadCertificate certificate) {
        CertificateStore store = new CertificateStore();
        store.update(certificate);
        return store;
    }

    public Optional<WorkloadCertificate> current() {
        return Optional.ofNullable(current);
    }

    /** Replaces the certificate; new TLS handshakes use it, established connections are left alone. */
    public void update(WorkloadCertificate certificate) {
        current = certificate;
        for (Consumer<WorkloadCertificate> listener : listeners) {
            try {
                listener.accept(certificate);
            } catch (RuntimeException e) {
                LOG.errorf(e, "a listener failed on the new workload certificate %s", certificate);
            }
        }
    }

    /**
     * Calls the listener on every change from now on.
     *
     * @return removes the listener
     */
    public Runnable addListener(Consumer<WorkloadCertificate> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
