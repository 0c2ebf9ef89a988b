package dev.mesh.proxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of the gateway-proxy service, under the prefix {@code mesh.proxy}. Each key can also be set
 * by its environment variable (upper case, dots and dashes as underscores). The HTTP server listens
 * on {@code mesh.proxy.agent-port} (see {@code application.properties}).
 */
@ConfigMapping(prefix = "mesh.proxy")
public interface ProxyConfig {

    /**
     * Port of the admin server, bound to 127.0.0.1 only.
     * Environment variable {@code MESH_PROXY_ADMIN_PORT}.
     */
    @WithDefault("15000")
    int adminPort();

    /**
     * Sidecar mode: port that captured outbound traffic is redirected to.
     * Environment variable {@code MESH_PROXY_OUTBOUND_PORT}.
     */
    @WithDefault("15001")
    int outboundPort();

    /**
     * Sidecar mode: port that captured inbound traffic is redirected to.
     * Environment variable {@code MESH_PROXY_INBOUND_PORT}.
     */
    @WithDefault("15006")
    int inboundPort();

    /**
     * Port of the agent's HTTP server: health ({@code /q/health}) and merged metrics ({@code /q/metrics}).
     * Environment variable {@code MESH_PROXY_AGENT_PORT}.
     */
    @WithDefault("15020")
    int agentPort();

    /**
     * Port of the readiness endpoint {@code /healthz/ready} that probes call.
     * Environment variable {@code MESH_PROXY_HEALTH_PORT}.
     */
    @WithDefault("15021")
    int healthPort();

    /**
     * Port of {@code /stats/prometheus}, the proxy's own metrics.
     * Environment variable {@code MESH_PROXY_PROMETHEUS_PORT}.
     */
    @WithDefault("15090")
    int prometheusPort();
}
