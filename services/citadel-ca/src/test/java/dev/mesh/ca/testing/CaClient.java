package dev.mesh.ca.testing;

import dev.mesh.ca.grpc.v1.IstioCertificateRequest;
import dev.mesh.ca.grpc.v1.IstioCertificateResponse;
import dev.mesh.ca.grpc.v1.IstioCertificateServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** A real gRPC client of the CA over TLS, trusting only the mesh root and checking the CA's DNS name. */
public final class CaClient implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final IstioCertificateServiceGrpc.IstioCertificateServiceBlockingStub stub;

    private CaClient(ManagedChannel channel) {
        this.channel = channel;
        this.stub = IstioCertificateServiceGrpc.newBlockingStub(channel);
    }

    public static CaClient connect(int port, X509Certificate root, String authority) {
        return connect(port, root, authority, null, null);
    }

    /** With {@code key}/{@code chain} the client presents that certificate in the TLS handshake. */
    public static CaClient connect(int port, X509Certificate root, String authority, PrivateKey key, List<X509Certificate> chain) {
        try {
            SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(root);
            if (key != null) {
                tls.keyManager(key, chain.toArray(X509Certificate[]::new));
            }
            return new CaClient(NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority(authority)
                    .sslContext(tls.build()).build());
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** CreateCertificate with {@code authorization} as the header (null: none). */
    public List<String> create(String authorization, String csr, long validitySeconds) {
        var call = stub.withDeadlineAfter(30, TimeUnit.SECONDS);
        if (authorization != null) {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, authorization);
            call = call.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        IstioCertificateResponse response = call.createCertificate(
                IstioCertificateRequest.newBuilder().setCsr(csr).setValidityDuration(validitySeconds).build());
        return response.getCertChainList();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
