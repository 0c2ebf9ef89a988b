package dev.mesh.ca;

import dev.mesh.ca.config.CaConfig;
import dev.mesh.ca.model.CaSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Quarkus wiring only: builds a {@link CaRuntime} from the configuration and runs it with the application. */
@Singleton
public class CaLifecycle {

    private CaRuntime runtime;

    void onStart(@Observes StartupEvent event, CaConfig config, KubernetesClient client, MeterRegistry registry) {
        CaSettings settings = new CaSettings(config.namespace(), config.trustDomain(), config.tokenAudience(),
                config.defaultTtl(), config.maxTtl(), config.rootTtl(),
                config.serverDnsNames().orElseGet(() -> CaSettings.defaultServerDnsNames(config.namespace())),
                config.distributorSecret(), config.distributorDnsNames()
                        .orElseGet(() -> CaSettings.defaultDistributorDnsNames(config.namespace())));
        runtime = new CaRuntime(client, settings, Clock.systemUTC(), registry, null);
        runtime.start(config.grpcHost(), config.grpcPort());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (runtime != null) {
            runtime.close();
        }
    }

    /** The running instance, or null before start-up. */
    public CaRuntime runtime() {
        return runtime;
    }
}
