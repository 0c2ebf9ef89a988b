package dev.mesh.proxy.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Says at start-up which ports this instance uses, so an operator can match them with the Service. */
@Singleton
class PortsLog {

    private static final Logger LOG = Logger.getLogger(PortsLog.class);

    void onStart(@Observes StartupEvent event, ProxyConfig config) {
        LOG.infof("gateway-proxy ports: admin-port=%d outbound-port=%d inbound-port=%d agent-port=%d health-port=%d prometheus-port=%d", config.adminPort(), config.outboundPort(), config.inboundPort(), config.agentPort(), config.healthPort(), config.prometheusPort());
    }
}
