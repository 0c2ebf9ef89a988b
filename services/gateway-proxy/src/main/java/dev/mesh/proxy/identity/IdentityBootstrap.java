package dev.mesh.proxy.identity;

import dev.mesh.proxy.xds.Backoff;
import dev.mesh.proxy.xds.NodeIdentity;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Wires the identity parts from configuration: who this proxy is (its node: namespace, service account, cluster),
 * the CA client, the rotator on its own thread. The proxy's start calls {@link #start}, and gives the returned
 * agent's store to its TLS settings.
 */
public final class IdentityBootstrap {

    private static final Logger LOG = Logger.getLogger(IdentityBootstrap.class);

    private IdentityBootstrap() {
    }

    /** The settings the agent needs, apart from Quarkus (tests build them directly). */
    public record Settings(WorkloadIdentity identity, String caAddress, Path rootCertFile, Path tokenFile,
            String clusterId, RotationPolicy policy, java.time.Duration retryInitial, java.time.Duration retryMax,
            java.time.Duration rootCheckInterval, java.time.Duration requestTimeout) {

        public static Settings from(IdentityConfig config, NodeIdentity node) {
            return new Settings(new WorkloadIdentity(config.trustDomain(), node.namespace(), node.serviceAccount()),
                    config.caAddress(), Path.of(config.rootCertFile()), Path.of(config.tokenFile()), node.clusterId(),
                    new RotationPolicy(config.certTtl(), config.gracePeriodRatio(), config.gracePeriodRatioJitter()),
                    config.retryInitialBackoff(), config.retryMaxBackoff(), config.rootCheckInterval(),
                    config.requestTimeout());
        }
    }

    /**
     * Starts getting and renewing the certificate, and waits up to {@code initialWait} for the first one; without
     * it by then the proxy goes on (mutual TLS handshakes fail until it arrives) and says so.
     */
    public static IdentityAgent start(Settings settings, Clock clock, java.time.Duration initialWait) {
        SecureRandom random = new SecureRandom();
        RootCertFile root = new RootCertFile(settings.rootCertFile());
        GrpcCaClient ca = new GrpcCaClient(settings.caAddress(), root::read, settings.tokenFile(), settings.clusterId(),
                settings.requestTimeout());
        CertificateStore store = new CertificateStore();
        CertificateRotator rotator = new CertificateRotator(settings.identity(), ca, root, store, clock,
                settings.policy(), new Backoff(settings.retryInitial(), settings.retryMax(), random), random,
                settings.rootCheckInterval());
        IdentityAgent agent = new IdentityAgent(rotator, store, ca).start();
        try {
            agent.firstCertificate().get(initialWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("no workload certificate for %s from the CA at %s after %s; serving on, mutual TLS will work "
                    + "once it arrives", settings.identity(), settings.caAddress(), initialWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("identity bootstrap failed", e.getCause());
        }
        return agent;
    }
}
