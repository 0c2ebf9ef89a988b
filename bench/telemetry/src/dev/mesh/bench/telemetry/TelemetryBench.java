package dev.mesh.bench.telemetry;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the packaged telemetry service, sends pre-serialised OTLP export requests from several threads for a
 * fixed time (after a warm-up), and reports records/s and records per CPU-second of the service (from
 * /proc/<pid>/stat); then measures graph query latency over the edges the load created.
 */
public final class TelemetryBench {

    static final int SOURCES = 10;
    static final int DESTINATIONS = 10;
    static final int DISTINCT_REQUESTS = 64;
    static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int senders = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int queries = Integer.parseInt(args[4]);
        int otlpPort = freePort();
        int httpPort = freePort();
        Path log = Path.of("bench/telemetry/target/telemetry.log");
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MESH_TELEMETRY_OTLP_PORT", Integer.toString(otlpPort));
        pb.environment().put("MESH_TELEMETRY_OTLP_HOST", "127.0.0.1");
        pb.environment().put("MESH_TELEMETRY_HTTP_PORT", Integer.toString(httpPort));
        Process service = pb.start();
        try {
            run(service, otlpPort, httpPort, seconds, senders, batch, queries);
        } finally {
            service.destroy();
            service.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void run(Process service, int otlpPort, int httpPort, int seconds, int senders, int batch, int queries)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + httpPort;
        awaitReady(http, base);

        byte[][] requests = new byte[DISTINCT_REQUESTS][];
        Random random = new Random(1);
        for (int i = 0; i < DISTINCT_REQUESTS; i++) {
            requests[i] = request(random, batch).toByteArray();
        }
        System.out.printf("telemetry pid %d; %d senders, %d spans per export (%d bytes), %d s measured%n",
                service.pid(), senders, batch, requests[0].length, seconds);

        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", otlpPort).usePlaintext().build();
        MethodDescriptor<byte[], byte[]> raw = TraceServiceGrpc.getExportMethod().toBuilder(new Bytes(), new Bytes())
                .build();
        load(channel, raw, requests, senders, 8, batch); // warm-up
        long cpuBefore = cpuTicks(service.pid());
        long start = System.nanoTime();
        long[] result = load(channel, raw, requests, senders, seconds, batch);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (cpuTicks(service.pid()) - cpuBefore) / (double) CLOCK_TICKS;
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        long records = result[0];
        System.out.printf("ingest: %,d records in %.1f s = %,.0f records/s; service CPU %.1f s = %.2f cores busy; "
                        + "%,.0f records per CPU-second; %d failed exports; load average %s%n",
                records, elapsed, records / elapsed, cpu, cpu / elapsed, records / cpu, result[1], loadAverage());
        String metrics = get(http, base + "/q/metrics");
        System.out.printf("service: aggregated %s, dropped %s, edges %s%n",
                metric(metrics, "telemetry_records_aggregated"), metric(metrics, "telemetry_records_dropped_total"),
                metric(metrics, "telemetry_graph_edges"));

        for (String type : List.of("workload", "versionedApp")) {
            String uri = base + "/api/namespaces/graph?namespaces=bench&graphType=" + type + "&duration=60s";
            String body = get(http, uri);
            int edges = body.split("\"source\"").length - 1;
            for (int i = 0; i < 200; i++) {
                get(http, uri);
            }
            long[] nanos = new long[queries];
            for (int i = 0; i < queries; i++) {
                long t = System.nanoTime();
                get(http, uri);
                nanos[i] = System.nanoTime() - t;
            }
            Arrays.sort(nanos);
            System.out.printf("graph %s (%d edges, %d bytes): %d queries p50 %.2f ms p90 %.2f ms p99 %.2f ms "
                            + "max %.2f ms%n", type, edges, body.length(), queries, pct(nanos, 0.50),
                    pct(nanos, 0.90), pct(nanos, 0.99), nanos[nanos.length - 1] / 1e6);
        }
    }

    static long[] load(ManagedChannel channel, MethodDescriptor<byte[], byte[]> raw, byte[][] requests, int senders,
            int seconds, int batch) throws InterruptedException {
        AtomicLong records = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int offset = s;
            Thread t = new Thread(() -> {
                int i = offset;
                while (System.nanoTime() < end) {
                    try {
                        ClientCalls.blockingUnaryCall(channel, raw,
                                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                                requests[i++ % requests.length]);
                        records.addAndGet(batch);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return new long[] {records.get(), failures.get()};
    }

    static ExportTraceServiceRequest request(Random random, int spans) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < spans; i++) {
            int src = random.nextInt(SOURCES);
            int dst = random.nextInt(DESTINATIONS);
            String version = random.nextInt(10) == 0 ? "v2" : "v1";
            byte[] traceId = new byte[16];
            byte[] spanId = new byte[8];
            random.nextBytes(traceId);
            random.nextBytes(spanId);
            traceId[0] |= 1;
            spanId[0] |= 1;
            scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
                    .setSpanId(ByteString.copyFrom(spanId)).setName("GET /api")
                    .setStartTimeUnixNano(now).setEndTimeUnixNano(now + 1_000_000L + random.nextInt(50_000_000))
                    .addAttributes(str("source_workload", "client-" + src))
                    .addAttributes(str("source_workload_namespace", "bench"))
                    .addAttributes(str("source_app", "client-" + src))
                    .addAttributes(str("source_version", "v1"))
                    .addAttributes(str("source_principal", "spiffe://cluster.local/ns/bench/sa/client-" + src))
                    .addAttributes(str("destination_workload", "svc-" + dst + "-" + version))
                    .addAttributes(str("destination_workload_namespace", "bench"))
                    .addAttributes(str("destination_app", "svc-" + dst))
                    .addAttributes(str("destination_version", version))
                    .addAttributes(str("destination_principal", "spiffe://cluster.local/ns/bench/sa/svc-" + dst))
                    .addAttributes(str("destination_service", "svc-" + dst + ".bench.svc.cluster.local"))
                    .addAttributes(str("connection_security_policy", "mutual_tls"))
                    .addAttributes(num("http.response.status_code", random.nextInt(100) == 0 ? 503 : 200))
                    .addAttributes(num("http.response.body.size", 512)));
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(scope)).build();
    }

    static KeyValue str(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    static KeyValue num(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    }

    static String loadAverage() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }

    static void awaitReady(HttpClient http, String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("telemetry did not become ready in 60 s; see bench/telemetry/target/telemetry.log");
    }

    static String get(HttpClient http, String uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.E+-]+)$").matcher(metrics);
        return m.find() ? m.group(2) : "?";
    }

    static double pct(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
