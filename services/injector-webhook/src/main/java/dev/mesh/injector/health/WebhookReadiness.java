package dev.mesh.injector.health;

import dev.mesh.injector.WebhookLifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the HTTPS webhook server is listening with a certificate. */
@Readiness
@Singleton
public class WebhookReadiness implements HealthCheck {

    @Inject
    WebhookLifecycle webhook;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("injector-webhook").status(webhook.isServing())
                .withData("port", webhook.port()).build();
    }
}
