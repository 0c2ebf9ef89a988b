package dev.mesh.ca.metrics;

import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.CaKeyMaterial;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The CA's metrics, named after Istio's {@code citadel_server_*}: CSRs by outcome and reason
 * ({@code citadel_server_csr_total}), signing latency ({@code citadel_server_csr_signing_seconds}),
 * seconds until the root and the signing certificate expire.
 */
public final class CaMetrics {

    private final Counter issued;
    private final Map<Reason, Counter> refused = new EnumMap<>(Reason.class);
    private final Timer signing;

    public CaMetrics(MeterRegistry registry, Clock clock, Supplier<Optional<CaKeyMaterial>> material) {
        issued = Counter.builder("citadel.server.csr").description("Certificate signing requests by outcome and reason")
                .tags("outcome", "issued", "reason", "ok").register(registry);
        for (Reason reason : Reason.values()) {
            refused.put(reason, Counter.builder("citadel.server.csr").description("Certificate signing requests by outcome and reason")
                    .tags("outcome", "refused", "reason", reason.label()).register(registry));
        }
        signing = Timer.builder("citadel.server.csr.signing").description("Time to check and sign one accepted request")
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("citadel.server.root.cert.expiry.seconds", () -> secondsLeft(clock, material, true))
                .description("Seconds until the mesh root certificate expires").register(registry);
        Gauge.builder("citadel.server.cert.chain.expiry.seconds", () -> secondsLeft(clock, material, false))
                .description("Seconds until the CA's signing certificate expires").register(registry);
    }

    public void issued(Duration latency) {
        issued.increment();
        signing.record(latency);
    }

    public void refused(Reason reason) {
        refused.get(reason).increment();
    }

    private static double secondsLeft(Clock clock, Supplier<Optional<CaKeyMaterial>> material, boolean root) {
        return material.get()
                .map(m -> (root ? m.root() : m.signingCert()).getNotAfter().toInstant().getEpochSecond() - clock.instant().getEpochSecond())
                .map(Long::doubleValue)
                .orElse(Double.NaN);
    }
}
