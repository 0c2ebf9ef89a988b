package dev.mesh.telemetry.otlp;

import dev.mesh.telemetry.TelemetryMain;
import dev.mesh.telemetry.config.TelemetryConfig;
import dev.mesh.telemetry.messaging.RecordSink;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Starts the OTLP/gRPC receiver with the service and stops it on shutdown. */
@Singleton
public class OtlpReceiver {

    private static final Logger LOG = Logger.getLogger(OtlpReceiver.class);

    private final TelemetryConfig config;
    private final RecordSink sink;
    private final TelemetryMain main;
    private volatile OtlpServer server;

    OtlpReceiver(TelemetryConfig config, RecordSink sink, TelemetryMain main) {
        this.config = config;
        this.sink = sink;
        this.main = main;
    }

    void start(@Observes StartupEvent event) {
        server = new OtlpServer(config.otlpHost(), config.otlpPort(), config.otlpMaxMessageBytes(),
                new OtlpTraceService(sink, main.ingestMetrics())).start();
        LOG.infof("OTLP/gRPC trace receiver on %s:%d (transport to the aggregator: %s)", config.otlpHost(),
                server.port(), config.kafkaEnabled() ? "kafka topic " + config.kafkaTopic() : "in-memory channel");
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
        }
    }

    /** The port actually bound (tests configure 0). */
    public int port() {
        return server.port();
    }

    public boolean isRunning() {
        return server != null && server.isRunning();
    }
}
