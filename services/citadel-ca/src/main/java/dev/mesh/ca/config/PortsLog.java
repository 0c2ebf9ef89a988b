package dev.mesh.ca.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Says at start-up which ports this instance uses, so an operator can match them with the Service. */
@Singleton
class PortsLog {

    private static final Logger LOG = Logger.getLogger(PortsLog.class);

    void onStart(@Observes StartupEvent event, CaConfig config) {
        LOG.infof("citadel-ca ports: grpc-port=%d http-port=%d", config.grpcPort(), config.httpPort());
    }
}
