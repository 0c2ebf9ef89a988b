package dev.mesh.proxy.testing;

import dev.mesh.ca.grpc.v1.IstioCertificateRequest;
import dev.mesh.ca.grpc.v1.IstioCertificateResponse;
import dev.mesh.ca.grpc.v1.IstioCertificateServiceGrpc;
import dev.mesh.proxy.identity.Pem;
import dev.mesh.proxy.identity.WorkloadCertificate;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The CA's gRPC API (from libs/ca-api) served over TLS on loopback, signing with a {@link TestCa}: it checks the
 * bearer token and records what each caller sent. It can be stopped and started again on the same port.
 */
public final class FakeCaServer implements AutoCloseable {

    /** One request as the server saw it. */
    public record Call(String authorization, String clusterId, String csr, long validitySeconds) {
    }

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> CLUSTER_ID = Metadata.Key.of("ClusterID", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Metadata> HEADERS = Context.key("headers");

    private volatile TestCa ca;
    private final String token;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private int port;
    private Server server;

    public FakeCaServer(TestCa ca, String token) {
        this.ca = ca;
        this.token = token;
    }

    /** Signs with another CA from now on (a root rotation); the serving certificate changes on the next start. */
    public void useCa(TestCa next) {
        this.ca = next;
    }

    public synchronized FakeCaServer start() throws IOException {
        WorkloadCertificate serving = ca.issueServer("localhost", Duration.ofDays(30));
        TlsServerCredentials credentials = (TlsServerCredentials) TlsServerCredentials.newBuilder()
                .keyManager(stream(Pem.encode(serving.chain())), stream(Pem.encode(serving.key()))).build();
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, headers, next);
            }
        };
        server = Grpc.newServerBuilderForPort(port, credentials)
                .addService(ServerInterceptors.intercept(new Service(), capture)).build().start();
        port = server.getPort();
        return this;
    }

    public synchronized void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination();
    }

    public String address() {
        return "localhost:" + port;
    }

    public List<Call> calls() {
        return calls;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static ByteArrayInputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private final class Service extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {
        @Override
        public void createCertificate(IstioCertificateRequest request,
                StreamObserver<IstioCertificateResponse> response) {
            Metadata headers = HEADERS.get();
            String authorization = headers.get(AUTHORIZATION);
            calls.add(new Call(authorization, headers.get(CLUSTER_ID), request.getCsr(),
                    request.getValidityDuration()));
            if (!("Bearer " + token).equals(authorization)) {
                response.onError(Status.UNAUTHENTICATED.withDescription("bad token").asRuntimeException());
                return;
            }
            try {
                List<String> chain = ca.signCsr(request.getCsr(), Duration.ofSeconds(request.getValidityDuration()));
                response.onNext(IstioCertificateResponse.newBuilder().addAllCertChain(chain).build());
                response.onCompleted();
            } catch (IllegalArgumentException e) {
                response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            }
        }
    }
}
