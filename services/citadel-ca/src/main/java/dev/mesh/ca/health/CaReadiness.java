package dev.mesh.ca.health;

import dev.mesh.ca.CaLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the CA has its key material and its gRPC server listens. */
@Readiness
@ApplicationScoped
public class CaReadiness implements HealthCheck {

    @Inject
    CaLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
        var runtime = lifecycle.runtime();
        boolean ready = runtime != null && runtime.isReady();
        return HealthCheckResponse.named("citadel-ca").status(ready)
                .withData("grpc-port", runtime == null ? -1 : runtime.grpcPort()).build();
    }
}
