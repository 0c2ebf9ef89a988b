package dev.mesh.distributor.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Says at start-up which ports this instance uses, so an operator can match them with the Service. */
@Singleton
class PortsLog {

    private static final Logger LOG = Logger.getLogger(PortsLog.class);

    void onStart(@Observes StartupEvent event, DistributorConfig config) {
        LOG.infof("config-distributor ports: xds-port=%d xds-tls-port=%d http-port=%d", config.xdsPort(), config.xdsTlsPort(), config.httpPort());
    }
}
