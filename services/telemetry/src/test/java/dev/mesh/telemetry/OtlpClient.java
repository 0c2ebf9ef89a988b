package dev.mesh.telemetry;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.util.concurrent.TimeUnit;

/** A real OTLP/gRPC exporter's client side: grpc-java's generated stub over a plaintext channel. */
public final class OtlpClient implements AutoCloseable {

    private final ManagedChannel channel;
    private final TraceServiceGrpc.TraceServiceBlockingStub stub;

    public OtlpClient(int port) {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        stub = TraceServiceGrpc.newBlockingStub(channel);
    }

    public ExportTraceServiceResponse export(ExportTraceServiceRequest request) {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS).export(request);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
