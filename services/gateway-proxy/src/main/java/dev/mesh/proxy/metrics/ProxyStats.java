package dev.mesh.proxy.metrics;

import dev.mesh.proxy.http.RequestRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.LongAdder;

/**
 * Istio's standard request metrics, kept by label set and rendered in Prometheus text format:
 * {@code istio_requests_total} and {@code istio_request_duration_milliseconds}, and for proxied TCP connections
 * {@code istio_tcp_connections_opened_total}, {@code istio_tcp_connections_closed_total},
 * {@code istio_tcp_sent_bytes_total} and {@code istio_tcp_received_bytes_total}. Recording costs a map lookup
 * and a few adders, lock-free, so it can sit on the request path.
 */
public final class ProxyStats {

    /** Istio's default duration buckets, in milliseconds. */
    static final double[] BUCKETS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
        300000, 600000, 1800000, 3600000};

    /**
     * The label values of one request; {@code null} values are rendered as {@code unknown}. Built from the
     * request's {@link RequestRecord} by {@link #of}, so that metrics and exported spans agree.
     */
    public record Labels(String reporter, String sourceWorkload, String sourceWorkloadNamespace, String sourcePrincipal,
            String sourceApp, String sourceVersion, String destinationWorkload, String destinationWorkloadNamespace,
            String destinationPrincipal, String destinationApp, String destinationVersion, String destinationService,
            String destinationServiceName, String destinationServiceNamespace, String requestProtocol, int responseCode,
            String responseFlags, String connectionSecurityPolicy) {

        /** The labels of a finished request. */
        public static Labels of(RequestRecord r) {
            RequestRecord.Workload src = r.source();
            RequestRecord.Workload dst = r.destination();
            String service = r.destinationService();
            String serviceName = service == null ? null : service.substring(0, service.indexOf('.') < 0 ? service.length()
                    : service.indexOf('.'));
            String serviceNamespace = r.destinationServiceNamespace();
            return new Labels(r.reporter(), src.name(), src.namespace(), src.principal(), src.app(), src.version(),
                    dst.name(), dst.namespace() != null ? dst.namespace() : serviceNamespace, dst.principal(), dst.app(),
                    dst.version(), service, serviceName, serviceNamespace, r.requestProtocol(), r.responseCode(),
                    r.responseFlags(), r.connectionSecurityPolicy());
        }

        String render() {
            StringBuilder b = new StringBuilder("{");
            add(b, "reporter", reporter);
            add(b, "source_workload", sourceWorkload);
            add(b, "source_workload_namespace", sourceWorkloadNamespace);
            add(b, "source_principal", sourcePrincipal);
            add(b, "source_app", sourceApp);
            add(b, "source_version", sourceVersion);
            add(b, "destination_workload", destinationWorkload);
            add(b, "destination_workload_namespace", destinationWorkloadNamespace);
            add(b, "destination_principal", destinationPrincipal);
            add(b, "destination_app", destinationApp);
            add(b, "destination_version", destinationVersion);
            add(b, "destination_service", destinationService);
            add(b, "destination_service_name", destinationServiceName);
            add(b, "destination_service_namespace", destinationServiceNamespace);
            add(b, "destination_cluster", null);
            add(b, "request_protocol", requestProtocol);
            add(b, "response_code", Integer.toString(responseCode));
            add(b, "grpc_response_status", "");
            add(b, "response_flags", responseFlags);
            add(b, "connection_security_policy", connectionSecurityPolicy);
            b.setLength(b.length() - 1);
            return b.append('}').toString();
        }

        static void add(StringBuilder b, String name, String value) {
            String v = value == null ? "unknown" : value;
            b.append(name).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append("\",");
        }
    }

    private static final class Series {
        final LongAdder count = new LongAdder();
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final LongAdder sumMicros = new LongAdder();

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** The label values of one proxied TCP connection; {@code null} values are rendered as {@code unknown}. */
    public record TcpLabels(String reporter, String sourceWorkload, String sourceWorkloadNamespace,
            String destinationService, String destinationServiceName, String destinationServiceNamespace,
            String destinationWorkload, String responseFlags) {

        String render() {
            StringBuilder b = new StringBuilder("{");
            Labels.add(b, "reporter", reporter);
            Labels.add(b, "source_workload", sourceWorkload);
            Labels.add(b, "source_workload_namespace", sourceWorkloadNamespace);
            Labels.add(b, "destination_workload", destinationWorkload);
            Labels.add(b, "destination_service", destinationService);
            Labels.add(b, "destination_service_name", destinationServiceName);
            Labels.add(b, "destination_service_namespace", destinationServiceNamespace);
            Labels.add(b, "request_protocol", "tcp");
            Labels.add(b, "response_flags", responseFlags);
            Labels.add(b, "connection_security_policy", "unknown");
            b.setLength(b.length() - 1);
            return b.append('}').toString();
        }
    }

    /** Counters of one TCP label set; bytes are added as they flow, so a long connection shows up while open. */
    public static final class TcpSeries {
        final LongAdder opened = new LongAdder();
        final LongAdder closed = new LongAdder();
        public final LongAdder sent = new LongAdder();
        public final LongAdder received = new LongAdder();

        public void closed() {
            closed.increment();
        }
    }

    private final Map<Labels, Series> series = new ConcurrentHashMap<>();
    private final Map<TcpLabels, TcpSeries> tcp = new ConcurrentHashMap<>();
    private final List<Counter> counters = new CopyOnWriteArrayList<>();

    /** A counter kept elsewhere (the telemetry exporter's), rendered with the rest; {@code labels} like {@code {a="b"}}. */
    private record Counter(String name, String labels, LongSupplier value) {}

    /** Adds a counter that another component keeps to {@code /stats/prometheus}. */
    public void addCounter(String name, String labels, LongSupplier value) {
        counters.add(new Counter(name, labels, value));
    }

    /** Counts a finished request. */
    public void record(RequestRecord r) {
        record(Labels.of(r), r.durationNanos());
    }

    /** Counts a TCP connection opened; the caller adds its bytes and its close to the series returned. */
    public TcpSeries tcpOpened(TcpLabels labels) {
        TcpSeries s = tcp.computeIfAbsent(labels, l -> new TcpSeries());
        s.opened.increment();
        return s;
    }

    public void record(Labels labels, long durationNanos) {
        Series s = series.computeIfAbsent(labels, l -> new Series());
        s.count.increment();
        double ms = durationNanos / 1_000_000.0;
        s.sumMicros.add(durationNanos / 1000);
        for (int i = 0; i < BUCKETS.length; i++) {
            if (ms <= BUCKETS[i]) {
                s.buckets[i].increment();
            }
        }
    }

    /**
     * The request and TCP counters in Envoy's {@code /stats} naming: per reporter
     * {@code http.<reporter>.downstream_rq_total} and {@code _<N>xx}, per destination service
     * {@code cluster.<service>.upstream_rq_total} and {@code upstream_rq_<code>}, and the TCP connection counts.
     */
    public Map<String, Long> envoyCounters() {
        Map<String, Long> out = new java.util.TreeMap<>();
        series.forEach((l, s) -> {
            long n = s.count.sum();
            String http = "http." + l.reporter() + ".downstream_rq_";
            out.merge(http + "total", n, Long::sum);
            out.merge(http + (l.responseCode() / 100) + "xx", n, Long::sum);
            String cluster = "cluster." + (l.destinationService() == null ? "unknown" : l.destinationService()) + ".upstream_rq_";
            out.merge(cluster + "total", n, Long::sum);
            out.merge(cluster + l.responseCode(), n, Long::sum);
        });
        tcp.forEach((l, s) -> {
            String prefix = "tcp." + (l.destinationService() == null ? "unknown" : l.destinationService()) + ".";
            out.merge(prefix + "downstream_cx_total", s.opened.sum(), Long::sum);
            out.merge(prefix + "downstream_cx_closed", s.closed.sum(), Long::sum);
            out.merge(prefix + "upstream_cx_tx_bytes_total", s.sent.sum(), Long::sum);
            out.merge(prefix + "upstream_cx_rx_bytes_total", s.received.sum(), Long::sum);
        });
        return out;
    }

    public String renderPrometheus() {
        StringBuilder out = new StringBuilder();
        out.append("# TYPE istio_requests_total counter\n");
        series.forEach((l, s) -> out.append("istio_requests_total").append(l.render()).append(' ')
                .append(s.count.sum()).append('\n'));
        out.append("# TYPE istio_request_duration_milliseconds histogram\n");
        series.forEach((l, s) -> {
            String labels = l.render();
            String inner = labels.substring(1, labels.length() - 1);
            for (int i = 0; i < BUCKETS.length; i++) {
                out.append("istio_request_duration_milliseconds_bucket{").append(inner).append(",le=\"")
                        .append(formatBucket(BUCKETS[i])).append("\"} ").append(s.buckets[i].sum()).append('\n');
            }
            out.append("istio_request_duration_milliseconds_bucket{").append(inner).append(",le=\"+Inf\"} ")
                    .append(s.count.sum()).append('\n');
            out.append("istio_request_duration_milliseconds_sum").append(labels).append(' ')
                    .append(s.sumMicros.sum() / 1000.0).append('\n');
            out.append("istio_request_duration_milliseconds_count").append(labels).append(' ')
                    .append(s.count.sum()).append('\n');
        });
        tcpCounter(out, "istio_tcp_connections_opened_total", s -> s.opened.sum());
        tcpCounter(out, "istio_tcp_connections_closed_total", s -> s.closed.sum());
        tcpCounter(out, "istio_tcp_sent_bytes_total", s -> s.sent.sum());
        tcpCounter(out, "istio_tcp_received_bytes_total", s -> s.received.sum());
        String typed = null;
        for (Counter c : counters) {
            if (!c.name().equals(typed)) {
                out.append("# TYPE ").append(c.name()).append(" counter\n");
                typed = c.name();
            }
            out.append(c.name()).append(c.labels()).append(' ').append(c.value().getAsLong()).append('\n');
        }
        return out.toString();
    }

    private void tcpCounter(StringBuilder out, String name, java.util.function.ToLongFunction<TcpSeries> value) {
        out.append("# TYPE ").append(name).append(" counter\n");
        tcp.forEach((l, s) -> out.append(name).append(l.render()).append(' ').append(value.applyAsLong(s)).append('\n'));
    }

    private static String formatBucket(double b) {
        return b == Math.rint(b) ? Long.toString((long) b) : Double.toString(b);
    }
}
