package dev.mesh.telemetry.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Says at start-up which ports this instance uses, so an operator can match them with the Service. */
@Singleton
class PortsLog {

    private static final Logger LOG = Logger.getLogger(PortsLog.class);

    void onStart(@Observes StartupEvent event, TelemetryConfig config) {
        LOG.infof("telemetry ports: otlp-port=%d http-port=%d", config.otlpPort(), config.httpPort());
    }
}
