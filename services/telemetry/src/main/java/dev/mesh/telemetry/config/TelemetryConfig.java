package dev.mesh.telemetry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Every setting of the telemetry service, under the prefix {@code mesh.telemetry}. Each key can also be set
 * by its environment variable (upper case, dots and dashes as underscores). The HTTP server listens
 * on {@code mesh.telemetry.http-port} (see {@code application.properties}).
 */
@ConfigMapping(prefix = "mesh.telemetry")
public interface TelemetryConfig {

    /**
     * Port of the OTLP gRPC receiver (the OpenTelemetry default); 0 picks a free port.
     * Environment variable {@code MESH_TELEMETRY_OTLP_PORT}.
     */
    @WithDefault("4317")
    int otlpPort();

    /**
     * Address the OTLP gRPC receiver binds to.
     * Environment variable {@code MESH_TELEMETRY_OTLP_HOST}.
     */
    @WithDefault("0.0.0.0")
    String otlpHost();

    /**
     * Largest OTLP export request accepted, in bytes; larger ones are refused with RESOURCE_EXHAUSTED.
     * Environment variable {@code MESH_TELEMETRY_OTLP_MAX_MESSAGE_BYTES}.
     */
    @WithDefault("4194304")
    int otlpMaxMessageBytes();

    /**
     * Port of the HTTP server: graph page, {@code /api/namespaces/graph}, traces API, health, metrics.
     * Environment variable {@code MESH_TELEMETRY_HTTP_PORT}.
     */
    @WithDefault("20001")
    int httpPort();

    /**
     * Width of one time bucket of the sliding windows; a graph query's window is a whole number of buckets.
     * Environment variable {@code MESH_TELEMETRY_BUCKET}.
     */
    @WithDefault("5s")
    Duration bucket();

    /**
     * How long request records are kept in the windows; the longest {@code duration} a graph query may ask for.
     * Environment variable {@code MESH_TELEMETRY_RETENTION}.
     */
    @WithDefault("10m")
    Duration retention();

    /**
     * Most distinct edges (source, destination, service, protocol) held at once; records of further new edges
     * are dropped and counted until old edges expire.
     * Environment variable {@code MESH_TELEMETRY_MAX_EDGES}.
     */
    @WithDefault("10000")
    int maxEdges();

    /**
     * Most recent spans kept for the trace API (a ring: the oldest go first).
     * Environment variable {@code MESH_TELEMETRY_TRACE_CAPACITY}.
     */
    @WithDefault("10000")
    int traceCapacity();

    /**
     * Carry records from the receiver to the aggregator through Kafka instead of the in-memory channel, so that
     * several replicas share the load (each record aggregated by exactly one replica of the consumer group).
     * The broker is {@code kafka.bootstrap.servers}.
     * Environment variable {@code MESH_TELEMETRY_KAFKA_ENABLED}.
     */
    @WithDefault("false")
    boolean kafkaEnabled();

    /**
     * Kafka topic of the request records (used when {@code kafka-enabled}).
     * Environment variable {@code MESH_TELEMETRY_KAFKA_TOPIC}.
     */
    @WithDefault("mesh-telemetry-records")
    String kafkaTopic();

    /**
     * Kafka consumer group of the aggregators; replicas in one group share the topic's partitions.
     * Environment variable {@code MESH_TELEMETRY_KAFKA_GROUP}.
     */
    @WithDefault("mesh-telemetry")
    String kafkaGroup();
}
