package dev.mesh.proxy.identity;

import dev.mesh.ca.grpc.v1.IstioCertificateRequest;
import dev.mesh.ca.grpc.v1.IstioCertificateResponse;
import dev.mesh.ca.grpc.v1.IstioCertificateServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CA's {@code istio.v1.auth.IstioCertificateService/CreateCertificate} over TLS, as Istio's agent calls it:
 * the CA's serving certificate verified against the mesh root, the service-account token as
 * {@code authorization: Bearer <token>} and the cluster as the {@code ClusterID} header. The channel is made
 * again when the root changes, so a rotated CA root is trusted without a restart.
 */
public final class GrpcCaClient implements CertificateSource, AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> CLUSTER_ID = Metadata.Key.of("ClusterID", Metadata.ASCII_STRING_MARSHALLER);
    /** Codes that mean "not now" rather than "no": the request is retried as for an unreachable CA. */
    private static final EnumSet<Status.Code> TRANSIENT = EnumSet.of(Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED, Status.Code.CANCELLED,
            Status.Code.UNKNOWN, Status.Code.INTERNAL);

    private final String address;
    private final RootsSource rootsPem;
    private final Path tokenFile;
    private final String clusterId;
    private final Duration timeout;
    private ManagedChannel channel;
    private String channelRoots;

    /**
     * @param address   {@code host:port} of the CA
     * @param rootsPem  the mesh root(s) as PEM, read for each request (the mounted file may change)
     * @param tokenFile the service-account token, read on each request
     */
    public GrpcCaClient(String address, RootsSource rootsPem, Path tokenFile, String clusterId, Duration timeout) {
        this.address = address;
        this.rootsPem = rootsPem;
        this.tokenFile = tokenFile;
        this.clusterId = clusterId;
        this.timeout = timeout;
    }

    /** Where the roots come from: {@link RootCertFile#read()} in the proxy. */
    @FunctionalInterface
    public interface RootsSource {
        String read() throws IOException;
    }

    @Override
    public synchronized List<String> sign(String csrPem, Duration ttl) throws CaRequestException {
        String token = readToken();
        String roots;
        try {
            roots = rootsPem.read();
        } catch (IOException | IllegalArgumentException e) {
            throw new CaRequestException("the mesh root certificate to verify the CA with is unusable: " + e.getMessage(),
                    true, e);
        }
        ManagedChannel current = channel(roots);
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        headers.put(CLUSTER_ID, clusterId);
        try {
            IstioCertificateResponse response = IstioCertificateServiceGrpc.newBlockingStub(current)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .createCertificate(IstioCertificateRequest.newBuilder().setCsr(csrPem)
                            .setValidityDuration(ttl.toSeconds()).build());
            if (response.getCertChainCount() == 0) {
                throw new CaRequestException("the CA at " + address + " answered with an empty certificate chain",
                        false, null);
            }
            return response.getCertChainList();
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            boolean unreachable = TRANSIENT.contains(status.getCode());
            if (unreachable) {
                // The caller retries on its own backoff; a failed channel would refuse the retry without trying.
                closeChannel();
            }
            throw new CaRequestException("certificate request to the CA at " + address + " failed: " + status.getCode()
                    + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"), unreachable, e);
        }
    }

    private String readToken() throws CaRequestException {
        try {
            String token = Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
            if (token.isEmpty()) {
                throw new CaRequestException("service-account token file " + tokenFile + " is empty", true, null);
            }
            return token;
        } catch (IOException e) {
            // The kubelet may not have projected the token yet: retried like an unreachable CA.
            throw new CaRequestException("service-account token file " + tokenFile + " cannot be read: " + e, true, e);
        }
    }

    private ManagedChannel channel(String roots) throws CaRequestException {
        if (channel != null && roots.equals(channelRoots)) {
            return channel;
        }
        ChannelCredentials credentials;
        try {
            credentials = TlsChannelCredentials.newBuilder()
                    .trustManager(new ByteArrayInputStream(roots.getBytes(StandardCharsets.US_ASCII))).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new CaRequestException("the mesh root certificate cannot be used to verify the CA: " + e.getMessage(),
                    false, e);
        }
        closeChannel();
        channel = Grpc.newChannelBuilder(address, credentials).build();
        channelRoots = roots;
        return channel;
    }

    private void closeChannel() {
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
            channelRoots = null;
        }
    }

    @Override
    public synchronized void close() {
        closeChannel();
    }
}
