package dev.mesh.ca.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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
     * Port of the HTTP server: health and metrics.
     * Environment variable {@code MESH_CA_HTTP_PORT}.
     */
    @WithDefault("15015")
    int httpPort();
}
