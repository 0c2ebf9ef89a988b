package dev.mesh.injector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of the injector-webhook service, under the prefix {@code mesh.injector}. Each key can also be set
 * by its environment variable (upper case, dots and dashes as underscores). The HTTP server listens
 * on {@code mesh.injector.metrics-port} (see {@code application.properties}).
 */
@ConfigMapping(prefix = "mesh.injector")
public interface InjectorConfig {

    /**
     * Port of the HTTPS server the API server calls ({@code /inject}).
     * Environment variable {@code MESH_INJECTOR_WEBHOOK_PORT}.
     */
    @WithDefault("15017")
    int webhookPort();

    /**
     * Port of the plaintext HTTP server: health and metrics.
     * Environment variable {@code MESH_INJECTOR_METRICS_PORT}.
     */
    @WithDefault("15016")
    int metricsPort();
}
