package dev.mesh.proxy.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The access log: one JSON line per request with Envoy's keys, written to a stream (stdout in production) by
 * its own thread. The event loop only formats the line and offers it to a bounded queue; when the writer cannot
 * keep up, lines are dropped and counted rather than slowing requests down.
 */
public final class JsonAccessLog implements RequestObserver, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JsonAccessLog.class);

    private final BlockingQueue<String> lines;
    private final OutputStream out;
    private final Thread writer;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closed;

    public JsonAccessLog(OutputStream out, int queueCapacity) {
        this.out = out;
        this.lines = new ArrayBlockingQueue<>(queueCapacity);
        this.writer = new Thread(this::drain, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void onRequest(RequestRecord r) {
        if (!lines.offer(format(r))) {
            dropped.increment();
        }
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** One JSON object with Envoy's access log keys (unknown values are null), without a trailing newline. */
    public static String format(RequestRecord r) {
        StringBuilder b = new StringBuilder(512).append('{');
        field(b, "start_time", Instant.ofEpochMilli(r.startEpochMillis()).toString());
        field(b, "method", r.method());
        field(b, "path", r.path());
        field(b, "protocol", r.protocol());
        number(b, "response_code", r.responseCode());
        field(b, "response_flags", r.responseFlags());
        number(b, "bytes_received", r.bytesReceived());
        number(b, "bytes_sent", r.bytesSent());
        number(b, "duration", r.durationMillis());
        if (r.upstreamServiceTimeMillis() >= 0) {
            number(b, "upstream_service_time", r.upstreamServiceTimeMillis());
        } else {
            field(b, "upstream_service_time", null);
        }
        field(b, "x_forwarded_for", r.xForwardedFor());
        field(b, "user_agent", r.userAgent());
        field(b, "request_id", r.requestId());
        field(b, "authority", r.authority());
        field(b, "upstream_host", r.upstreamHost());
        field(b, "upstream_cluster", r.upstreamCluster());
        field(b, "route_name", r.routeName());
        field(b, "downstream_remote_address", r.downstreamRemoteAddress());
        field(b, "reporter", r.reporter());
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    private static void number(StringBuilder b, String key, long value) {
        b.append('"').append(key).append("\":").append(value).append(',');
    }

    private static void field(StringBuilder b, String key, String value) {
        b.append('"').append(key).append("\":");
        if (value == null) {
            b.append("null,");
            return;
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append("\",");
    }

    private void drain() {
        List<String> batch = new ArrayList<>(256);
        StringBuilder text = new StringBuilder(64 * 1024);
        while (!closed || !lines.isEmpty()) {
            try {
                String first = lines.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                lines.drainTo(batch, 1023);
                for (String line : batch) {
                    text.append(line).append('\n');
                }
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                LOG.warnf("cannot write the access log: %s", e.getMessage());
            } finally {
                batch.clear();
                text.setLength(0);
            }
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        writer.join(5000);
    }
}
