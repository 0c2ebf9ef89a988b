package dev.mesh.proxy.telemetry;

import dev.mesh.proxy.http.RequestObserver;
import dev.mesh.proxy.http.RequestRecord;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Exports one span per request to an OTLP/gRPC receiver, off the request path: the event loop only offers the
 * finished {@link RequestRecord} to a bounded buffer (a full buffer drops and counts it), and the exporter's own
 * thread turns records into spans and sends them in batches of at most {@code batchSize}, at the latest
 * {@code flushInterval} after the first one waited. A failed export drops its batch (counted) and delays the next
 * one, doubling up to 5 s, so a receiver that is down costs neither the requests nor much of the proxy.
 */
public final class SpanExporter implements RequestObserver, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SpanExporter.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration WARN_EVERY = Duration.ofSeconds(30);

    /** Where to and how: see {@link TelemetryConfig} for each. */
    public record Settings(String address, int batchSize, int bufferSize, Duration flushInterval,
            Duration exportTimeout) {

        public Settings {
            List<String> errors = new ArrayList<>();
            int colon = address == null ? -1 : address.lastIndexOf(':');
            if (colon <= 0 || !address.substring(colon + 1).matches("\\d{1,5}")
                    || Integer.parseInt(address.substring(colon + 1)) > 65535) {
                errors.add("mesh.proxy.telemetry.address: \"" + address + "\" is not host:port");
            }
            if (batchSize < 1) {
                errors.add("mesh.proxy.telemetry.batch-size: " + batchSize + " must be at least 1");
            }
            if (bufferSize < 1) {
                errors.add("mesh.proxy.telemetry.buffer-size: " + bufferSize + " must be at least 1");
            }
            if (flushInterval.isNegative() || flushInterval.isZero()) {
                errors.add("mesh.proxy.telemetry.flush-interval: " + flushInterval + " must be positive");
            }
            if (exportTimeout.isNegative() || exportTimeout.isZero()) {
                errors.add("mesh.proxy.telemetry.export-timeout: " + exportTimeout + " must be positive");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", errors));
            }
        }
    }

    private final Settings settings;
    private final Resource resource;
    private final BlockingQueue<RequestRecord> buffer;
    private final ManagedChannel channel;
    private final TraceServiceGrpc.TraceServiceBlockingStub stub;
    private final Thread worker;
    private final LongAdder bufferFull = new LongAdder();
    private final LongAdder exportFailed = new LongAdder();
    private final LongAdder exported = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private volatile boolean closed;
    private long lastWarnNanos = System.nanoTime() - WARN_EVERY.toNanos();

    /**
     * @param resource the proxy's OTLP resource (its {@code service.name}), sent with every batch
     */
    public SpanExporter(Settings settings, Resource resource) {
        this.settings = settings;
        this.resource = resource;
        this.buffer = new ArrayBlockingQueue<>(settings.bufferSize());
        this.channel = Grpc.newChannelBuilder(settings.address(), InsecureChannelCredentials.create()).build();
        this.stub = TraceServiceGrpc.newBlockingStub(channel);
        this.worker = new Thread(this::run, "telemetry-export");
        worker.setDaemon(true);
        worker.start();
        LOG.infof("exporting one span per request to %s (OTLP/gRPC, batches of up to %d, buffer %d)",
                settings.address(), settings.batchSize(), settings.bufferSize());
    }

    @Override
    public void onRequest(RequestRecord r) {
        if (closed || !SpanMapper.exported(r)) {
            return;
        }
        if (!buffer.offer(r)) {
            bufferFull.increment();
        }
    }

    /** Spans the receiver took. */
    public long exported() {
        return exported.sum();
    }

    /** Requests not exported because the buffer was full. */
    public long droppedBufferFull() {
        return bufferFull.sum();
    }

    /** Spans of batches whose export failed (receiver down, timeout, refused). */
    public long droppedExportFailed() {
        return exportFailed.sum();
    }

    /** Spans the receiver answered as rejected (OTLP partial success). */
    public long rejected() {
        return rejected.sum();
    }

    private void run() {
        List<RequestRecord> batch = new ArrayList<>(settings.batchSize());
        int failures = 0;
        while (!closed || !buffer.isEmpty()) {
            try {
                RequestRecord first = buffer.poll(settings.flushInterval().toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + settings.flushInterval().toNanos();
                while (batch.size() < settings.batchSize() && !closed) {
                    buffer.drainTo(batch, settings.batchSize() - batch.size());
                    long left = deadline - System.nanoTime();
                    if (batch.size() >= settings.batchSize() || left <= 0) {
                        break;
                    }
                    RequestRecord next = buffer.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                if (export(batch)) {
                    failures = 0;
                } else if (!closed) {
                    failures++;
                    long backoff = Math.min(MAX_BACKOFF.toMillis(), 100L << Math.min(failures - 1, 6));
                    Thread.sleep(backoff);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A record that cannot become a span must not stop the exporter; its batch is counted as lost.
                exportFailed.add(batch.size());
                LOG.errorf(e, "telemetry export: cannot build a batch of %d spans", batch.size());
            } finally {
                batch.clear();
            }
        }
    }

    /** Sends one batch; false when it failed (its spans counted as dropped). */
    private boolean export(List<RequestRecord> batch) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("gateway-proxy"));
        for (RequestRecord r : batch) {
            scope.addSpans(SpanMapper.span(r));
        }
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope)).build();
        try {
            ExportTraceServiceResponse response = stub
                    .withDeadlineAfter(settings.exportTimeout().toMillis(), TimeUnit.MILLISECONDS).export(request);
            long refused = response.hasPartialSuccess() ? response.getPartialSuccess().getRejectedSpans() : 0;
            exported.add(batch.size() - refused);
            if (refused > 0) {
                rejected.add(refused);
                warn("telemetry receiver %s rejected %d of %d spans: %s", settings.address(), refused, batch.size(),
                        response.getPartialSuccess().getErrorMessage());
            }
            return true;
        } catch (StatusRuntimeException e) {
            exportFailed.add(batch.size());
            warn("telemetry export to %s failed, %d spans dropped: %s %s", settings.address(), batch.size(),
                    e.getStatus().getCode(), e.getStatus().getDescription());
            return false;
        }
    }

    /** At most one warning per 30 s: a receiver that is down must not flood the log. */
    private void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (now - lastWarnNanos >= WARN_EVERY.toNanos()) {
            lastWarnNanos = now;
            LOG.warnf(format, args);
        }
    }

    /** Sends what is buffered (waiting at most about {@code exportTimeout} for it), then stops. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        worker.join(settings.exportTimeout().toMillis() + 1000);
        worker.interrupt();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
