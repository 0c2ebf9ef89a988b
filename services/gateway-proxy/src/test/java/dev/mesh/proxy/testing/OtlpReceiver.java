package dev.mesh.proxy.testing;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OTLP/gRPC trace receiver on loopback (grpc-java over Netty), keeping every span it got with its
 * resource. {@link #hold()} makes exports wait until {@link #release()}, as a receiver that stopped answering.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One received span and the resource it came with. */
    public record Received(Resource resource, Span span) {

        public Optional<String> string(String key) {
            return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
                    .map(a -> a.getValue().getStringValue());
        }

        public Optional<Long> integer(String key) {
            return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
                    .map(a -> a.getValue().getIntValue());
        }
    }

    public final Queue<Received> spans = new ConcurrentLinkedQueue<>();
    public final AtomicInteger exports = new AtomicInteger();
    private final Server server;
    private volatile CountDownLatch gate = new CountDownLatch(0);

    public OtlpReceiver() throws java.io.IOException {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                            StreamObserver<ExportTraceServiceResponse> response) {
                        try {
                            gate.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        exports.incrementAndGet();
                        request.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss ->
                                ss.getSpansList().forEach(s -> spans.add(new Received(rs.getResource(), s)))));
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                }).build().start();
    }

    public int port() {
        return server.getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void release() {
        gate.countDown();
    }

    public List<Received> withTraceId(String hex) {
        return spans.stream().filter(r -> java.util.HexFormat.of().formatHex(r.span().getTraceId().toByteArray())
                .equals(hex)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        release();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
