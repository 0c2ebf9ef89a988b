package dev.mesh.distributor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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
     * Port of the HTTP server: health ({@code /q/health}), metrics ({@code /q/metrics}) and {@code /debug/*}.
     * Environment variable {@code MESH_DISTRIBUTOR_HTTP_PORT}.
     */
    @WithDefault("15014")
    int httpPort();
}
