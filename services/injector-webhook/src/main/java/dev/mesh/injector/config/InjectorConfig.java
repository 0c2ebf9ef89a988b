package dev.mesh.injector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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

    /**
     * Address the HTTPS server binds to.
     * Environment variable {@code MESH_INJECTOR_WEBHOOK_HOST}.
     */
    @WithDefault("0.0.0.0")
    String webhookHost();

    /**
     * The mesh's own namespace, where this service runs: never injected, so that the control plane can always
     * start; the serving certificate names {@code <service-name>.<namespace>.svc}.
     * Environment variable {@code MESH_INJECTOR_NAMESPACE}.
     */
    @WithDefault("istio-system")
    String namespace();

    /**
     * Name of the Service in front of this webhook, for the serving certificate's DNS names.
     * Environment variable {@code MESH_INJECTOR_SERVICE_NAME}.
     */
    @WithDefault("injector-webhook")
    String serviceName();

    /**
     * Name of the MutatingWebhookConfiguration this webhook owns; its webhooks' {@code caBundle} is written at
     * start and on every certificate rotation. A missing configuration is logged, not fatal.
     * Environment variable {@code MESH_INJECTOR_WEBHOOK_CONFIGURATION_NAME}.
     */
    @WithDefault("injector-webhook")
    String webhookConfigurationName();

    /**
     * Largest AdmissionReview body accepted, in bytes; a larger one gets 400.
     * Environment variable {@code MESH_INJECTOR_MAX_REQUEST_BYTES}.
     */
    @WithDefault("1048576")
    int maxRequestBytes();

    /**
     * The injection values file (YAML: proxyImage, caAddress, xdsAddress, nativeSidecar, resources, ...), mounted
     * from a ConfigMap; read again when it changes. Missing: built-in defaults.
     * Environment variable {@code MESH_INJECTOR_TEMPLATE_FILE}.
     */
    @WithDefault("/etc/mesh/injector/values.yaml")
    String templateFile();

    /**
     * How often the values file's modification time and size are checked for a change.
     * Environment variable {@code MESH_INJECTOR_TEMPLATE_CHECK_INTERVAL}.
     */
    @WithDefault("5s")
    Duration templateCheckInterval();

    /**
     * Lifetime of the serving certificate; it is replaced when two thirds of it have passed.
     * Environment variable {@code MESH_INJECTOR_CERT_VALIDITY}.
     */
    @WithDefault("8760h")
    Duration certValidity();

    /**
     * How often the serving certificate's age is checked.
     * Environment variable {@code MESH_INJECTOR_CERT_CHECK_INTERVAL}.
     */
    @WithDefault("1m")
    Duration certCheckInterval();

    /**
     * Use the Kubernetes API: namespace labels through an informer, and the caBundle write. false runs without a
     * cluster (benchmarks, local tries): every namespace then counts as unlabelled, so only pods labelled
     * {@code sidecar.istio.io/inject=true} are injected.
     * Environment variable {@code MESH_INJECTOR_KUBERNETES}.
     */
    @WithDefault("true")
    boolean kubernetes();
}
