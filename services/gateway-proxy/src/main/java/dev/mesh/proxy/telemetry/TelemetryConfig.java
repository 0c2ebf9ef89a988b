package dev.mesh.proxy.telemetry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The proxy's request telemetry export, under the prefix {@code mesh.proxy.telemetry}: one OpenTelemetry span per
 * request, sent in batches over OTLP/gRPC (plain text) to the telemetry service. Off when no address is set.
 */
@ConfigMapping(prefix = "mesh.proxy.telemetry")
public interface TelemetryConfig {

    /**
     * Whether to export spans when an address is set; false turns the export off even then.
     * Environment variable {@code MESH_PROXY_TELEMETRY_ENABLED}.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Address {@code host:port} of the OTLP/gRPC receiver (the telemetry service's port 4317, plain text); unset:
     * no export.
     * Environment variable {@code MESH_PROXY_TELEMETRY_ADDRESS}.
     */
    Optional<String> address();

    /**
     * Most spans sent in one export request.
     * Environment variable {@code MESH_PROXY_TELEMETRY_BATCH_SIZE}.
     */
    @WithDefault("512")
    int batchSize();

    /**
     * Most finished requests held for export; when the buffer is full (the receiver is slow or down) further
     * requests are not exported and are counted as dropped, never waited for.
     * Environment variable {@code MESH_PROXY_TELEMETRY_BUFFER_SIZE}.
     */
    @WithDefault("8192")
    int bufferSize();

    /**
     * Longest a finished request waits before its batch is sent, when the batch does not fill up first.
     * Environment variable {@code MESH_PROXY_TELEMETRY_FLUSH_INTERVAL}.
     */
    @WithDefault("1s")
    Duration flushInterval();

    /**
     * Deadline of one export request; a batch that fails or times out is dropped and counted, and the next
     * export waits (doubling up to 5 s) while the receiver keeps failing.
     * Environment variable {@code MESH_PROXY_TELEMETRY_EXPORT_TIMEOUT}.
     */
    @WithDefault("5s")
    Duration exportTimeout();
}
