package dev.mesh.proxy.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The proxy's workload identity, under the prefix {@code mesh.proxy.identity}: where the CA is, what proves
 * who this proxy is to it, where the mesh's root certificate is mounted, and when certificates are renewed.
 * The namespace, service account and cluster id come from {@code mesh.proxy.*} (the node metadata).
 */
@ConfigMapping(prefix = "mesh.proxy.identity")
public interface IdentityConfig {

    /**
     * Whether the proxy gets a workload certificate from the CA at start and keeps it renewed (needed for
     * mutual TLS); off, the proxy serves and sends plain text only.
     * Environment variable {@code MESH_PROXY_IDENTITY_ENABLED}.
     */
    @WithDefault("false")
    boolean enabled();

    /**
     * Address {@code host:port} of the CA's gRPC server (TLS); the host must be a name in the CA's serving
     * certificate.
     * Environment variable {@code MESH_PROXY_IDENTITY_CA_ADDRESS}.
     */
    @WithDefault("citadel-ca.istio-system.svc:8060")
    String caAddress();

    /**
     * PEM file with the mesh's root certificate(s) (the {@code istio-ca-root-cert} ConfigMap mounted into the
     * pod); the CA's serving certificate and every peer's are verified against it, and a change is noticed.
     * Environment variable {@code MESH_PROXY_IDENTITY_ROOT_CERT_FILE}.
     */
    @WithDefault("/var/run/secrets/istio/root-cert.pem")
    String rootCertFile();

    /**
     * File with the pod's service-account token (projected, audience {@code istio-ca}), sent to the CA as a
     * bearer token; read again for every request, as the kubelet rotates it.
     * Environment variable {@code MESH_PROXY_IDENTITY_TOKEN_FILE}.
     */
    @WithDefault("/var/run/secrets/tokens/istio-token")
    String tokenFile();

    /**
     * The mesh's SPIFFE trust domain: this proxy's identity is {@code spiffe://<trust domain>/ns/<ns>/sa/<sa>}.
     * Environment variable {@code MESH_PROXY_IDENTITY_TRUST_DOMAIN}.
     */
    @WithDefault("cluster.local")
    String trustDomain();

    /**
     * Certificate lifetime asked of the CA (the CA may cap it).
     * Environment variable {@code MESH_PROXY_IDENTITY_CERT_TTL}.
     */
    @WithDefault("24h")
    Duration certTtl();

    /**
     * Share of a certificate's lifetime left when it is renewed (Istio's SECRET_GRACE_PERIOD_RATIO):
     * 0.5 renews at half life.
     * Environment variable {@code MESH_PROXY_IDENTITY_GRACE_PERIOD_RATIO}.
     */
    @WithDefault("0.5")
    double gracePeriodRatio();

    /**
     * Random spread added to or taken from the grace period ratio, so that proxies started together do not
     * renew together (Istio's SECRET_GRACE_PERIOD_RATIO_JITTER).
     * Environment variable {@code MESH_PROXY_IDENTITY_GRACE_PERIOD_RATIO_JITTER}.
     */
    @WithDefault("0.01")
    double gracePeriodRatioJitter();

    /**
     * First delay before asking the CA again after a failed request; doubles on each failure, with full jitter.
     * Environment variable {@code MESH_PROXY_IDENTITY_RETRY_INITIAL_BACKOFF}.
     */
    @WithDefault("1s")
    Duration retryInitialBackoff();

    /**
     * Upper bound of the retry delay while the CA is unreachable (the current certificate stays in use).
     * Environment variable {@code MESH_PROXY_IDENTITY_RETRY_MAX_BACKOFF}.
     */
    @WithDefault("30s")
    Duration retryMaxBackoff();

    /**
     * How often the root certificate file is checked for a change (a new root triggers a renewal).
     * Environment variable {@code MESH_PROXY_IDENTITY_ROOT_CHECK_INTERVAL}.
     */
    @WithDefault("5s")
    Duration rootCheckInterval();

    /**
     * Deadline of one certificate request to the CA.
     * Environment variable {@code MESH_PROXY_IDENTITY_REQUEST_TIMEOUT}.
     */
    @WithDefault("10s")
    Duration requestTimeout();

    /**
     * How long the proxy waits at start for its first certificate before it starts serving without one
     * (mutual TLS listeners then refuse handshakes until the certificate arrives).
     * Environment variable {@code MESH_PROXY_IDENTITY_INITIAL_TIMEOUT}.
     */
    @WithDefault("15s")
    Duration initialTimeout();
}
