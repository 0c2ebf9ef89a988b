package dev.mesh.telemetry.metrics;

import dev.mesh.telemetry.model.RequestRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Istio's standard request metrics, aggregated over every record this replica consumed:
 * {@code istio_requests_total}, {@code istio_request_duration_milliseconds}, {@code istio_request_bytes} and
 * {@code istio_response_bytes}, with Istio's labels. A series not updated for the retention is removed, so the
 * number of series stays bounded by what the windows hold.
 */
public final class RequestMetrics {

    private record Labels(String reporter, String sourceWorkload, String sourceNamespace, String sourceApp,
            String sourceVersion, String sourcePrincipal, String destinationWorkload, String destinationNamespace,
            String destinationApp, String destinationVersion, String destinationPrincipal, String destinationService,
            String protocol, int responseCode, int grpcStatus, String responseFlags, boolean mutualTls) {

        static Labels of(RequestRecord r) {
            return new Labels(r.reporter(), r.source().workload(), r.source().namespace(), r.source().app(),
                    r.source().version(), r.source().principal(), r.destination().workload(),
                    r.destination().namespace(), r.destination().app(), r.destination().version(),
                    r.destination().principal(), r.destinationService(), r.protocol(), r.responseCode(),
                    r.grpcStatus(), r.responseFlags(), r.mutualTls());
        }

        Tags tags() {
            return Tags.of("reporter", reporter, "source_workload", sourceWorkload,
                    "source_workload_namespace", sourceNamespace, "source_app", sourceApp,
                    "source_version", sourceVersion, "source_principal", sourcePrincipal,
                    "destination_workload", destinationWorkload,
                    "destination_workload_namespace", destinationNamespace, "destination_app", destinationApp,
                    "destination_version", destinationVersion, "destination_principal", destinationPrincipal,
                    "destination_service", destinationService, "request_protocol", protocol,
                    "response_code", Integer.toString(responseCode),
                    "grpc_response_status", grpcStatus < 0 ? "" : Integer.toString(grpcStatus),
                    "response_flags", responseFlags,
                    "connection_security_policy", mutualTls ? "mutual_tls" : "none");
        }
    }

    private static final class Series {
        final Counter requests;
        final DistributionSummary duration;
        final DistributionSummary requestBytes;
        final DistributionSummary responseBytes;
        long lastUpdateMillis;

        Series(MeterRegistry registry, Tags tags) {
            requests = Counter.builder("istio_requests").tags(tags).description("Requests, as Istio counts them")
                    .register(registry);
            duration = DistributionSummary.builder("istio_request_duration_milliseconds").tags(tags)
                    .description("Request durations").register(registry);
            requestBytes = DistributionSummary.builder("istio_request_bytes").tags(tags)
                    .description("Request body sizes").register(registry);
            responseBytes = DistributionSummary.builder("istio_response_bytes").tags(tags)
                    .description("Response body sizes").register(registry);
        }

        void remove(MeterRegistry registry) {
            registry.remove(requests);
            registry.remove(duration);
            registry.remove(requestBytes);
            registry.remove(responseBytes);
        }
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final long idleMillis;
    private final Map<Labels, Series> series = new HashMap<>();
    private long lastSweepMillis;

    public RequestMetrics(MeterRegistry registry, Clock clock, Duration idleAfter) {
        this.registry = registry;
        this.clock = clock;
        this.idleMillis = idleAfter.toMillis();
    }

    public synchronized void record(List<RequestRecord> records) {
        long now = clock.millis();
        for (RequestRecord record : records) {
            Series s = series.computeIfAbsent(Labels.of(record), labels -> new Series(registry, labels.tags()));
            s.requests.increment();
            s.duration.record(record.durationNanos() / 1_000_000.0);
            s.requestBytes.record(record.requestBytes());
            s.responseBytes.record(record.responseBytes());
            s.lastUpdateMillis = now;
        }
        if (now - lastSweepMillis >= Math.min(idleMillis, 10_000)) {
            lastSweepMillis = now;
            for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
                Series s = it.next();
                if (now - s.lastUpdateMillis > idleMillis) {
                    s.remove(registry);
                    it.remove();
                }
            }
        }
    }

    public synchronized int seriesCount() {
        return series.size();
    }
}
