package dev.mesh.proxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

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

    /**
     * Whether this process runs the data plane, the ADS client and the 15000/15021/15090 servers; off only
     * in tests of the Quarkus wiring.
     * Environment variable {@code MESH_PROXY_ENABLED}.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * {@code router} (ingress/egress gateway: listens on the ports its listeners name) or {@code sidecar}.
     * Environment variable {@code MESH_PROXY_MODE}.
     */
    @WithDefault("router")
    String mode();

    /**
     * Address {@code host:port} of the config-distributor's ADS server (plaintext).
     * Environment variable {@code MESH_PROXY_DISCOVERY_ADDRESS}.
     */
    @WithDefault("config-distributor.istio-system.svc:15010")
    String discoveryAddress();

    /**
     * Name of this pod, part of the node id; when unset, the environment variable {@code POD_NAME}.
     * Environment variable {@code MESH_PROXY_POD_NAME}.
     */
    Optional<String> podName();

    /**
     * Namespace of this pod; when unset, the environment variable {@code POD_NAMESPACE}.
     * Environment variable {@code MESH_PROXY_POD_NAMESPACE}.
     */
    Optional<String> podNamespace();

    /**
     * IP of this pod, part of the node id; when unset, the environment variable {@code INSTANCE_IP}.
     * Environment variable {@code MESH_PROXY_INSTANCE_IP}.
     */
    Optional<String> instanceIp();

    /**
     * Labels of this pod as {@code key=value} pairs separated by commas, sent as node metadata LABELS;
     * when unset, the environment variable {@code POD_LABELS}.
     * Environment variable {@code MESH_PROXY_LABELS}.
     */
    Optional<String> labels();

    /**
     * Service account of this pod, node metadata SERVICE_ACCOUNT.
     * Environment variable {@code MESH_PROXY_SERVICE_ACCOUNT}.
     */
    @WithDefault("default")
    String serviceAccount();

    /**
     * Name of the workload (Deployment) this pod belongs to, node metadata WORKLOAD_NAME and the
     * {@code source_workload} of metrics; when unset, derived from the pod name.
     * Environment variable {@code MESH_PROXY_WORKLOAD_NAME}.
     */
    Optional<String> workloadName();

    /**
     * Cluster id, node metadata CLUSTER_ID.
     * Environment variable {@code MESH_PROXY_CLUSTER_ID}.
     */
    @WithDefault("Kubernetes")
    String clusterId();

    /**
     * File where the last acknowledged config is saved, and read from at start when the control plane
     * cannot be reached.
     * Environment variable {@code MESH_PROXY_SAVED_CONFIG_PATH}.
     */
    @WithDefault("/var/lib/mesh-proxy/last-acked-config.pb")
    String savedConfigPath();

    /**
     * How long to wait at start for a first config from the control plane before serving the saved one.
     * Environment variable {@code MESH_PROXY_INITIAL_FETCH_TIMEOUT}.
     */
    @WithDefault("5s")
    Duration initialFetchTimeout();

    /**
     * First delay before reconnecting to the control plane; doubles on each failure, with full jitter.
     * Environment variable {@code MESH_PROXY_RECONNECT_INITIAL_BACKOFF}.
     */
    @WithDefault("500ms")
    Duration reconnectInitialBackoff();

    /**
     * Upper bound of the reconnect delay.
     * Environment variable {@code MESH_PROXY_RECONNECT_MAX_BACKOFF}.
     */
    @WithDefault("30s")
    Duration reconnectMaxBackoff();

    /**
     * Largest request body kept in memory so that the request can be retried or mirrored; larger bodies
     * are streamed and sent once.
     * Environment variable {@code MESH_PROXY_MAX_BUFFERED_BODY_BYTES}.
     */
    @WithDefault("65536")
    int maxBufferedBodyBytes();

    /**
     * Directory of the certificates that TLS listeners name by SDS secret (a Gateway server's
     * {@code credentialName}, sent as {@code kubernetes://<name>}): {@code <dir>/<name>/tls.crt} and
     * {@code <dir>/<name>/tls.key}, the layout of a mounted {@code kubernetes.io/tls} Secret.
     * Environment variable {@code MESH_PROXY_CREDENTIALS_DIR}.
     */
    @WithDefault("/etc/mesh/credentials")
    String credentialsDir();

    /**
     * Whether to write a JSON access log line per request to stdout (Envoy's keys and response flags). Off by
     * default, as in Istio's default profile; lines are written by their own thread and dropped (not waited for)
     * when stdout cannot keep up.
     * Environment variable {@code MESH_PROXY_ACCESS_LOG}.
     */
    @WithDefault("false")
    boolean accessLog();

    /**
     * On SIGTERM, how long requests in flight may take to finish after the proxy stopped accepting connections
     * and turned not-ready (Istio's {@code terminationDrainDuration}); then it exits.
     * Environment variable {@code MESH_PROXY_TERMINATION_DRAIN_DURATION}.
     */
    @WithDefault("5s")
    java.time.Duration terminationDrainDuration();
}
