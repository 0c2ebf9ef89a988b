package dev.mesh.telemetry.otlp;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The OTLP/gRPC listener (plaintext, as collectors inside a mesh usually run it): grpc-java's Netty server. */
public final class OtlpServer implements AutoCloseable {

    private final Server server;

    public OtlpServer(String host, int port, int maxMessageBytes, BindableService traceService) {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .maxInboundMessageSize(maxMessageBytes)
                .maxInboundMetadataSize(64 * 1024)
                .addService(traceService)
                .build();
    }

    public OtlpServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the OTLP receiver: " + e.getMessage(), e);
        }
        return this;
    }

    public int port() {
        return server.getPort();
    }

    public boolean isRunning() {
        return !server.isShutdown();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }
}
