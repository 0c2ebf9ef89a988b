package dev.mesh.distributor.health;

import dev.mesh.distributor.DistributorMain;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every watch has listed the cluster once and ADS is served: only then is config complete. */
@Readiness
@Singleton
public class DistributorReadiness implements HealthCheck {

    private final DistributorMain main;

    DistributorReadiness(DistributorMain main) {
        this.main = main;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("mesh-synced").status(main.ready())
                .withData("connectedProxies", main.registry().size()).build();
    }
}
