package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.identity.WorkloadCertificate;
import dev.mesh.proxy.testing.TestCa;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ADS over mutual TLS with real handshakes: the workload certificate as client, the distributor's DNS name checked. */
class ControlPlaneChannelTest {

    private final Clock clock = Clock.systemUTC();
    private final TestCa mesh = new TestCa("mesh", clock);
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** An ADS server over mutual TLS answering every request with version "v1", its certificate for {@code dns}. */
    private int startServer(String dns) throws Exception {
        WorkloadCertificate serving = mesh.issueServer(dns, Duration.ofDays(2));
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
                .keyManager(new MeshKeyManager(() -> serving))
                .trustManager(new ByteArrayInputStream(mesh.rootPem().getBytes(StandardCharsets.UTF_8)))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        server = Grpc.newServerBuilderForPort(0, tls.build())
                .addService(new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
                    @Override
                    public StreamObserver<DiscoveryRequest> streamAggregatedResources(
                            StreamObserver<DiscoveryResponse> responses) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(DiscoveryRequest request) {
                                responses.onNext(DiscoveryResponse.newBuilder().setVersionInfo("v1").build());
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                responses.onCompleted();
                            }
                        };
                    }
                }).build().start();
        return server.getPort();
    }

    private CompletableFuture<String> firstVersion(ManagedChannel ch) {
        CompletableFuture<String> version = new CompletableFuture<>();
        StreamObserver<DiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(ch)
                .streamAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse response) {
                        version.complete(response.getVersionInfo());
                    }

                    @Override
                    public void onError(Throwable t) {
                        version.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl("type.googleapis.com/envoy.config.cluster.v3.Cluster")
                .build());
        return version;
    }

    @Test
    void meshCertificate_andTheDistributorsName_getConfig() throws Exception {
        int port = startServer("localhost");
        CertificateStore store = CertificateStore.of(mesh.issue("spiffe://cluster.local/ns/demo/sa/default",
                Duration.ofHours(1)));

        channel = ControlPlaneChannel.open("localhost:" + port, true, store, clock);

        assertThat(firstVersion(channel).get(10, TimeUnit.SECONDS)).isEqualTo("v1");
    }

    @Test
    void serverCertificateForAnotherName_isRefused() throws Exception {
        int port = startServer("config-distributor.istio-system.svc");
        CertificateStore store = CertificateStore.of(mesh.issue("spiffe://cluster.local/ns/demo/sa/default",
                Duration.ofHours(1)));

        channel = ControlPlaneChannel.open("localhost:" + port, true, store, clock);

        assertThat(firstVersion(channel)).failsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void serverOfAnotherRoot_isRefused() throws Exception {
        int port = startServer("localhost");
        TestCa other = new TestCa("other", clock);
        CertificateStore store = CertificateStore.of(other.issue("spiffe://cluster.local/ns/demo/sa/default",
                Duration.ofHours(1)));

        channel = ControlPlaneChannel.open("localhost:" + port, true, store, clock);

        assertThat(firstVersion(channel)).failsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void mtlsPortWithoutIdentity_isRefusedNamingTheSetting() {
        assertThat(ControlPlaneChannel.usesTls("config-distributor.istio-system.svc:15012")).isTrue();
        assertThat(ControlPlaneChannel.usesTls("config-distributor.istio-system.svc:15010")).isFalse();
        assertThatThrownBy(() -> ControlPlaneChannel.open("config-distributor.istio-system.svc:15012", true, null, clock))
                .hasMessageContaining("mesh.proxy.identity.enabled=true");
    }
}
