package dev.mesh.telemetry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of the telemetry service, under the prefix {@code mesh.telemetry}. Each key can also be set
 * by its environment variable (upper case, dots and dashes as underscores). The HTTP server listens
 * on {@code mesh.telemetry.http-port} (see {@code application.properties}).
 */
@ConfigMapping(prefix = "mesh.telemetry")
public interface TelemetryConfig {

    /**
     * Port of the OTLP gRPC receiver (the OpenTelemetry default).
     * Environment variable {@code MESH_TELEMETRY_OTLP_PORT}.
     */
    @WithDefault("4317")
    int otlpPort();

    /**
     * Port of the HTTP server: graph page, {@code /api/namespaces/graph}, traces API, health, metrics.
     * Environment variable {@code MESH_TELEMETRY_HTTP_PORT}.
     */
    @WithDefault("20001")
    int httpPort();
}
