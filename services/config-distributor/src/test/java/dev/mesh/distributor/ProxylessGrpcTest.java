package dev.mesh.distributor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.distributor.grpc.AdsRegistry;
import dev.mesh.distributor.grpc.AdsService;
import dev.mesh.distributor.kube.MeshFixtures;
import dev.mesh.distributor.translate.ClusterTranslator;
import dev.mesh.distributor.translate.ProxyTranslator;
import dev.mesh.distributor.translate.MeshTls;
import dev.mesh.distributor.xds.MeshConfigWatcher;
import dev.mesh.distributor.xds.ResourceInterner;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsNameResolverProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real proxyless gRPC client (grpc-java's xDS support, written by others) resolves a service
 * through the distributor, and its calls split over two backends as the VirtualService weighs them.
 */
class ProxylessGrpcTest {

    /** A unary method with UTF-8 strings as messages: no generated code needed on either side. */
    private static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Backend/Who")
            .setRequestMarshaller(new Utf8())
            .setResponseMarshaller(new Utf8())
            .build();

    private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Server backend(String version) throws IOException {
        return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerServiceDefinition.builder("test.Backend")
                        .addMethod(WHO, ServerCalls.asyncUnaryCall((request, response) -> {
                            response.onNext(version);
                            response.onCompleted();
                        }))
                        .build())
                .build().start();
    }

    @Test
    @SuppressWarnings("deprecation") // nameResolverFactory: the supported way to use a test bootstrap
    void weightedVirtualService_splitsCallsOfAProxylessClient_withinBinomialBounds(@TempDir Path dir)
            throws Exception {
        Server v1 = backend("v1");
        Server v2 = backend("v2");
        ExecutorService workers = Executors.newFixedThreadPool(2);
        // the mesh's TLS as deployed (auto mTLS on): what a proxyless client gets must still parse
        MeshTls tls = new MeshTls("cluster.local", true);
        MeshConfigWatcher watcher = new MeshConfigWatcher(new ProxyTranslator(
                new ClusterTranslator(tls), tls, new ResourceInterner()),
                workers, "cluster.local", "istio-system");
        Server ads = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new AdsService(watcher, workers, new AdsRegistry(), new SimpleMeterRegistry(), 100,
                        Clock.systemUTC()))
                .build().start();
        Path mesh = dir.resolve("mesh.yaml");
        Files.writeString(mesh, """
                apiVersion: v1
                kind: Service
                metadata: {name: echo, namespace: demo}
                spec:
                  clusterIP: 10.96.1.1
                  selector: {app: echo}
                  ports: [{name: grpc, port: 7070}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: echo-v1, namespace: demo, labels: {kubernetes.io/service-name: echo}}
                addressType: IPv4
                ports: [{name: grpc, port: %d}]
                endpoints: [{addresses: [127.0.0.1], targetRef: {kind: Pod, name: echo-v1}}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: echo-v2, namespace: demo, labels: {kubernetes.io/service-name: echo}}
                addressType: IPv4
                ports: [{name: grpc, port: %d}]
                endpoints: [{addresses: [127.0.0.1], targetRef: {kind: Pod, name: echo-v2}}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: echo-v1, namespace: demo, labels: {app: echo, version: v1}}
                spec: {containers: [{name: echo, image: echo}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: echo-v2, namespace: demo, labels: {app: echo, version: v2}}
                spec: {containers: [{name: echo, image: echo}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: echo, namespace: demo}
                spec:
                  host: echo
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: echo, namespace: demo}
                spec:
                  hosts: [echo.demo.svc.cluster.local]
                  http:
                  - route:
                    - {destination: {host: echo, subset: v1}, weight: 80}
                    - {destination: {host: echo, subset: v2}, weight: 20}
                """.formatted(v1.getPort(), v2.getPort()));
        watcher.accept(MeshFixtures.load(List.of(mesh)).snapshot());

        Map<String, ?> bootstrap = Map.of(
                "xds_servers", List.of(Map.of("server_uri", "127.0.0.1:" + ads.getPort(),
                        "channel_creds", List.of(Map.of("type", "insecure")),
                        "server_features", List.of("xds_v3"))),
                "node", Map.of("id", "sidecar~127.0.0.1~grpc-client.demo~demo.svc.cluster.local",
                        "metadata", Map.of("GENERATOR", "grpc", "NAMESPACE", "demo")));
        ManagedChannel channel = Grpc.newChannelBuilder("xds:///echo.demo.svc.cluster.local:7070",
                        InsecureChannelCredentials.create())
                .nameResolverFactory(XdsNameResolverProvider.createForTest("xds", bootstrap))
                .build();
        try {
            int calls = 1000;
            int toV1 = 0;
            for (int i = 0; i < calls; i++) {
                String who = ClientCalls.blockingUnaryCall(channel, WHO,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "who");
                assertThat(who).isIn("v1", "v2");
                toV1 += who.equals("v1") ? 1 : 0;
            }
            // Binomial(1000, 0.8): two-sided p >= 0.001 means within 3.29 standard deviations of 800.
            double sd = Math.sqrt(calls * 0.8 * 0.2);
            assertThat((double) toV1).isBetween(800 - 3.29 * sd, 800 + 3.29 * sd);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            ads.shutdownNow();
            v1.shutdownNow();
            v2.shutdownNow();
            workers.shutdownNow();
        }
    }
}
