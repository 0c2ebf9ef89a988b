package dev.mesh.ca.grpc;

import dev.mesh.ca.pki.CertificateAuthority;
import io.grpc.Server;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The CA's gRPC server over TLS: grpc-java's Netty server with an in-memory TLS context, because
 * the serving key and certificate are made at run time from key material held in a Secret (never
 * written to files, which Quarkus's own gRPC server would need).
 *
 * <p>A client certificate is requested but not required. Any certificate is accepted in the
 * handshake (which still proves the caller holds its private key); whether it is a current mesh
 * certificate is decided per request, against the root in use at that moment, by
 * {@code ClientCertificateVerifier}, so a root rotation needs no new TLS context.
 */
public final class CaGrpcServer implements AutoCloseable {

    /** A CSR is a few KiB; this bounds what one request can make the server buffer. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    static final int MAX_METADATA_BYTES = 32 * 1024;

    private final Server server;

    public CaGrpcServer(String host, int port, ServingCertificate serving, CertificateAuthority ca, ExecutorService executor) {
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(serving.keyManagerFactory()))
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("could not build the gRPC server's TLS context", e);
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .sslContext(ssl)
                .executor(executor)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(MAX_METADATA_BYTES)
                .handshakeTimeout(10, TimeUnit.SECONDS)
                .addService(CallerCredentials.attach(new CertificateService(ca).bindService()))
                .build();
    }

    public CaGrpcServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the CA gRPC server: " + e.getMessage(), e);
        }
        return this;
    }

    public int port() {
        return server.getPort();
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
