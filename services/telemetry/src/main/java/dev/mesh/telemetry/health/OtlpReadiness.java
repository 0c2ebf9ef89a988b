package dev.mesh.telemetry.health;

import dev.mesh.telemetry.otlp.OtlpReceiver;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the OTLP receiver listens. */
@Readiness
@Singleton
class OtlpReadiness implements HealthCheck {

    private final OtlpReceiver receiver;

    OtlpReadiness(OtlpReceiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("otlp-receiver").status(receiver.isRunning()).build();
    }
}
