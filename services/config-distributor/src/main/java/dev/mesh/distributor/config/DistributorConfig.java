package dev.mesh.distributor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Every setting of the config-distributor service, under the prefix {@code mesh.distributor}. Each key can also be set
 * by its environment variable (upper case, dots and dashes as underscores). The HTTP server listens
 * on {@code mesh.distributor.http-port} (see {@code application.properties}).
 */
@ConfigMapping(prefix = "mesh.distributor")
public interface DistributorConfig {

    /**
     * Port of the ADS gRPC server for proxies, plaintext (Envoy xDS v3).
     * Environment variable {@code MESH_DISTRIBUTOR_XDS_PORT}.
     */
    @WithDefault("15010")
    int xdsPort();

    /**
     * Port of the ADS gRPC server over mutual TLS.
     * Environment variable {@code MESH_DISTRIBUTOR_XDS_TLS_PORT}.
     */
    @WithDefault("15012")
    int xdsTlsPort();

    /**
     * The distributor's own serving certificate (PEM chain) for xDS over mutual TLS, for instance from a
     * mounted Secret, signed by the mesh root. Without it (and the key and root below) the mTLS port is not
     * served. Re-read every 30 s.
     * Environment variable {@code MESH_DISTRIBUTOR_XDS_TLS_CERT_FILE}.
     */
    @WithDefault("/var/run/secrets/istiod/tls/tls.crt")
    String xdsTlsCertFile();

    /**
     * The private key (PKCS#8 PEM) of {@link #xdsTlsCertFile()}.
     * Environment variable {@code MESH_DISTRIBUTOR_XDS_TLS_KEY_FILE}.
     */
    @WithDefault("/var/run/secrets/istiod/tls/tls.key")
    String xdsTlsKeyFile();

    /**
     * The mesh root (PEM) that proxies' client certificates must chain to on the mTLS xDS port.
     * Environment variable {@code MESH_DISTRIBUTOR_XDS_TLS_ROOT_FILE}.
     */
    @WithDefault("/var/run/secrets/istiod/tls/ca.crt")
    String xdsTlsRootFile();

    /**
     * Port of the HTTP server: health ({@code /q/health}), metrics ({@code /q/metrics}) and {@code /debug/*}.
     * Environment variable {@code MESH_DISTRIBUTOR_HTTP_PORT}.
     */
    @WithDefault("15014")
    int httpPort();

    /**
     * The cluster's DNS domain: Services are {@code <name>.<namespace>.svc.<domain>}.
     * Environment variable {@code MESH_DISTRIBUTOR_DOMAIN_SUFFIX}.
     */
    @WithDefault("cluster.local")
    String domainSuffix();

    /**
     * The mesh's root namespace: DestinationRules there apply to every namespace without one of its own.
     * Environment variable {@code MESH_DISTRIBUTOR_ROOT_NAMESPACE}.
     */
    @WithDefault("istio-system")
    String rootNamespace();

    /**
     * The mesh's SPIFFE trust domain: workload identities are {@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>};
     * inbound mutual TLS accepts only peers of this domain. Must equal citadel-ca's.
     * Environment variable {@code MESH_DISTRIBUTOR_TRUST_DOMAIN}.
     */
    @WithDefault("cluster.local")
    String trustDomain();

    /**
     * Auto mutual TLS (Istio's {@code enableAutoMtls}): clusters without a DestinationRule TLS setting send
     * mutual TLS to endpoints whose pod has a sidecar ({@code security.istio.io/tlsMode=istio}) and plain
     * text to the others.
     * Environment variable {@code MESH_DISTRIBUTOR_ENABLE_AUTO_MTLS}.
     */
    @WithDefault("true")
    boolean enableAutoMtls();

    /**
     * How long the cluster must be quiet after a change before the mesh is recomputed and pushed.
     * Environment variable {@code MESH_DISTRIBUTOR_DEBOUNCE}.
     */
    @WithDefault("100ms")
    Duration debounce();

    /**
     * The longest a change waits for a push while changes keep coming.
     * Environment variable {@code MESH_DISTRIBUTOR_DEBOUNCE_MAX}.
     */
    @WithDefault("10s")
    Duration debounceMax();

    /**
     * Threads that compute proxy configs and serve ADS streams.
     * Environment variable {@code MESH_DISTRIBUTOR_PUSH_THREADS}.
     */
    @WithDefault("2")
    int pushThreads();

    /**
     * How many proxies may have a push on the wire at once (Istio's push throttle). Bounds the memory
     * queued for proxies when many connect or change together; the others wait their turn.
     * Environment variable {@code MESH_DISTRIBUTOR_PUSH_CONCURRENCY}.
     */
    @WithDefault("100")
    int pushConcurrency();
}
