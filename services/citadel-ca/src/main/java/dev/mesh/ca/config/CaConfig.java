package dev.mesh.ca.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the citadel-ca service, under the prefix {@code mesh.ca}. Each key can also be set
 * by its environment variable (upper case, dots and dashes as underscores). The HTTP server listens
 * on {@code mesh.ca.http-port} (see {@code application.properties}).
 */
@ConfigMapping(prefix = "mesh.ca")
public interface CaConfig {

    /**
     * Port of the CA's gRPC server over TLS ({@code istio.v1.auth.IstioCertificateService}).
     * Environment variable {@code MESH_CA_GRPC_PORT}.
     */
    @WithDefault("8060")
    int grpcPort();

    /**
     * Address the gRPC server binds to. Environment variable {@code MESH_CA_GRPC_HOST}.
     */
    @WithDefault("0.0.0.0")
    String grpcHost();

    /**
     * Port of the HTTP server: health and metrics.
     * Environment variable {@code MESH_CA_HTTP_PORT}.
     */
    @WithDefault("15015")
    int httpPort();

    /**
     * The mesh namespace: where the Secrets {@code cacerts} and {@code istio-ca-secret} live.
     * Environment variable {@code MESH_CA_NAMESPACE}.
     */
    @WithDefault("istio-system")
    String namespace();

    /**
     * Trust domain of the SPIFFE identities this CA issues ({@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}).
     * Environment variable {@code MESH_CA_TRUST_DOMAIN}.
     */
    @WithDefault("cluster.local")
    String trustDomain();

    /**
     * Audience a caller's service-account token must be issued for (checked by TokenReview).
     * Environment variable {@code MESH_CA_TOKEN_AUDIENCE}.
     */
    @WithDefault("istio-ca")
    String tokenAudience();

    /**
     * Lifetime of a workload certificate when the request asks for none.
     * Environment variable {@code MESH_CA_DEFAULT_TTL}.
     */
    @WithDefault("24h")
    Duration defaultTtl();

    /**
     * Longest lifetime a request may ask for; longer requests are refused.
     * Environment variable {@code MESH_CA_MAX_TTL}.
     */
    @WithDefault("2160h")
    Duration maxTtl();

    /**
     * Lifetime of the self-signed root this CA creates when no root exists yet.
     * Environment variable {@code MESH_CA_ROOT_TTL}.
     */
    @WithDefault("87600h")
    Duration rootTtl();

    /**
     * DNS names in the gRPC server's own certificate. Default: {@code citadel-ca.<namespace>.svc} and
     * {@code citadel-ca.<namespace>.svc.cluster.local}. Environment variable {@code MESH_CA_SERVER_DNS_NAMES}
     * (comma-separated).
     */
    Optional<List<String>> serverDnsNames();

    /**
     * Secret (type {@code kubernetes.io/tls}, in the mesh namespace) where this CA keeps config-distributor's serving
     * certificate for its mutual-TLS xDS port (mounted by the chart at /var/run/secrets/istiod/tls).
     */
    @WithDefault("config-distributor-tls")
    String distributorSecret();

    /**
     * DNS names of that certificate. Default: {@code config-distributor.<namespace>.svc} and
     * {@code config-distributor.<namespace>.svc.cluster.local}.
     */
    Optional<List<String>> distributorDnsNames();
}
