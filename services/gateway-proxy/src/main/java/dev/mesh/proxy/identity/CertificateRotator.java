package dev.mesh.proxy.identity;

import dev.mesh.proxy.identity.CertificateSource.CaRequestException;
import dev.mesh.proxy.xds.Backoff;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * Keeps the proxy's certificate current. Each {@link #runOnce()} looks at the root file and the clock and,
 * when there is no certificate yet, when the renewal time has come or when the root has changed, makes a new
 * key and has a CSR for it signed. A failed request keeps the current certificate in the store and is retried
 * with backoff. The caller runs the steps (one thread) at the delays they return; tests step it with a fake clock.
 */
public final class CertificateRotator {

    private static final Logger LOG = Logger.getLogger(CertificateRotator.class);

    private final WorkloadIdentity identity;
    private final CertificateSource ca;
    private final RootCertFile rootFile;
    private final CertificateStore store;
    private final Clock clock;
    private final RotationPolicy policy;
    private final Backoff backoff;
    private final RandomGenerator random;
    private final Duration rootCheckInterval;

    private String lastRoots;
    private boolean rootChanged;
    private Instant renewAt = Instant.MIN;
    private int renewals;
    private int failures;

    public CertificateRotator(WorkloadIdentity identity, CertificateSource ca, RootCertFile rootFile,
            CertificateStore store, Clock clock, RotationPolicy policy, Backoff backoff, RandomGenerator random,
            Duration rootCheckInterval) {
        this.identity = identity;
        this.ca = ca;
        this.rootFile = rootFile;
        this.store = store;
        this.clock = clock;
        this.policy = policy;
        this.backoff = backoff;
        this.random = random;
        this.rootCheckInterval = rootCheckInterval;
    }

    /**
     * One step.
     *
     * @return how long until the next step should run
     */
    public Duration runOnce() {
        String roots;
        try {
            roots = rootFile.read();
        } catch (IOException | IllegalArgumentException e) {
            failures++;
            Duration retry = backoff.next();
            LOG.warnf("workload certificate for %s: root certificate file %s unusable (%s); retrying in %s ms",
                    identity, rootFile.path(), e.getMessage(), retry.toMillis());
            return retry;
        }
        if (lastRoots != null && !roots.equals(lastRoots)) {
            rootChanged = true;
            List<X509Certificate> newRoots = Pem.certificates(roots, "root certificate file " + rootFile.path());
            // Peers are verified against the new roots at once; the certificate itself follows below.
            store.current().ifPresent(c -> store.update(new WorkloadCertificate(c.chain(), c.key(), newRoots)));
            LOG.infof("workload certificate for %s: the root certificate in %s changed; renewing", identity,
                    rootFile.path());
        }
        lastRoots = roots;
        Instant now = clock.instant();
        if (store.current().isEmpty() || rootChanged || !now.isBefore(renewAt)) {
            try {
                renew(roots);
                rootChanged = false;
                backoff.reset();
            } catch (CaRequestException e) {
                failures++;
                Duration retry = backoff.next();
                String kept = store.current().map(c -> "; keeping " + c).orElse("");
                if (e.unreachable()) {
                    LOG.warnf("workload certificate for %s: %s%s; retrying in %s ms", identity, e.getMessage(), kept,
                            retry.toMillis());
                } else {
                    LOG.errorf("workload certificate for %s refused: %s%s; retrying in %s ms", identity, e.getMessage(),
                            kept, retry.toMillis());
                }
                return retry;
            }
        }
        Duration untilRenewal = Duration.between(now, renewAt);
        return untilRenewal.compareTo(rootCheckInterval) < 0 ? untilRenewal : rootCheckInterval;
    }

    private void renew(String rootsPem) throws CaRequestException {
        List<X509Certificate> roots = Pem.certificates(rootsPem, "root certificate file " + rootFile.path());
        KeyPair keyPair = CsrFactory.newKeyPair();
        List<String> answer = ca.sign(CsrFactory.csrPem(keyPair, identity), policy.ttl());
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (String pem : answer) {
                chain.addAll(Pem.certificates(pem, "the CA's answer"));
            }
        } catch (IllegalArgumentException e) {
            throw new CaRequestException(e.getMessage(), false, e);
        }
        // The CA sends the root last; a peer has it already, so it is not presented.
        while (chain.size() > 1 && roots.contains(chain.get(chain.size() - 1))) {
            chain.remove(chain.size() - 1);
        }
        verify(chain, keyPair, roots, clock.instant());
        WorkloadCertificate certificate = new WorkloadCertificate(chain, keyPair.getPrivate(), roots);
        renewAt = policy.renewAt(certificate.notBefore(), certificate.notAfter(), random);
        renewals++;
        store.update(certificate);
        LOG.infof("workload certificate %s in use; renewal at %s", certificate, renewAt);
    }

    /** The answer must be for our key and identity, valid now, and chain to the mesh root. */
    private void verify(List<X509Certificate> chain, KeyPair keyPair, List<X509Certificate> roots, Instant now)
            throws CaRequestException {
        X509Certificate leaf = chain.get(0);
        if (!leaf.getPublicKey().equals(keyPair.getPublic())) {
            throw new CaRequestException("the CA's certificate is not for the key this proxy sent", false, null);
        }
        if (!leaf.getNotAfter().toInstant().isAfter(now)) {
            throw new CaRequestException("the CA's certificate expired at " + leaf.getNotAfter().toInstant(), false, null);
        }
        if (!Pem.uriSans(leaf).contains(identity.spiffeId())) {
            throw new CaRequestException("the CA's certificate names " + Pem.uriSans(leaf) + ", not " + identity,
                    false, null);
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            roots.forEach(r -> anchors.add(new TrustAnchor(r, null)));
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            // A CA whose clock runs a little ahead issues certificates that start "in the future": the chain is
            // checked from the certificate's start then; expiry is checked against our own clock below.
            Instant at = leaf.getNotBefore().toInstant().isAfter(now) ? leaf.getNotBefore().toInstant() : now;
            parameters.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
        } catch (GeneralSecurityException e) {
            throw new CaRequestException("the CA's certificate does not chain to the mesh root in " + rootFile.path()
                    + " at " + now + ": " + e.getMessage(), false, e);
        }
    }

    /** When the current certificate is due for renewal ({@link Instant#MIN} before the first). */
    public Instant renewAt() {
        return renewAt;
    }

    /** Certificates obtained so far. */
    public int renewals() {
        return renewals;
    }

    /** Failed attempts so far (CA unreachable or refusing, root file unusable). */
    public int failures() {
        return failures;
    }
}
