package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A real grpc-java client calls a real grpc-java server through the proxy, the cluster marked HTTP/2 in CDS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcScenarioTest {

    static final String SERVICE = "greeter.demo.svc.cluster.local";
    static final String CLUSTER = clusterName(null, SERVICE);
    static final String HOST = "greeter.example.com";

    /** A unary method with UTF-8 strings as messages: no generated code needed on either side. */
    static final MethodDescriptor<String, String> GREET = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Greeter/Greet")
            .setRequestMarshaller(new Utf8())
            .setResponseMarshaller(new Utf8())
            .build();

    static final class Utf8 implements MethodDescriptor.Marshaller<String> {
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

    @TempDir
    static Path dir;
    Vertx vertx;
    Server backend;
    FakeControlPlane cp;
    GatewayProxy proxy;
    ManagedChannel channel;

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        backend = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerServiceDefinition.builder("test.Greeter")
                        .addMethod(GREET, ServerCalls.asyncUnaryCall((name, response) -> {
                            if (name.startsWith("missing")) {
                                response.onError(Status.NOT_FOUND.withDescription("no greeting for " + name).asRuntimeException());
                                return;
                            }
                            response.onNext("hello " + name);
                            response.onCompleted();
                        }))
                        .build())
                .build().start();
        int port = ProxyHarness.freePort();
        cp = new FakeControlPlane().start();
        cp.set(XdsState.CDS, List.of(edsCluster(CLUSTER, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
                .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        Any.pack(HttpProtocolOptions.newBuilder().setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig
                                .newBuilder().setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance())).build()))
                .build()));
        cp.set(XdsState.EDS, List.of(endpoints(CLUSTER, "greeter-v1@" + backend.getPort())));
        cp.set(XdsState.LDS, List.of(Resources.httpListener(port)));
        cp.set(XdsState.RDS, List.of(Resources.routes(port, host("gw", List.of("*"), route("all", prefix("/"), toCluster(CLUSTER))))));
        proxy = ProxyHarness.startProxy(vertx, cp.address(), dir.resolve("saved.pb"), Duration.ofSeconds(5));
        await("first config", Duration.ofSeconds(10), proxy::ready);
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                .overrideAuthority(HOST).build();
    }

    @AfterAll
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        cp.close();
        backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String greet(String name) {
        return ClientCalls.blockingUnaryCall(channel, GREET, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), name);
    }

    @Test
    void unaryCalls_goThroughTheProxy() {
        for (int i = 0; i < 20; i++) {
            assertThat(greet("caller-" + i)).isEqualTo("hello caller-" + i);
        }
    }

    @Test
    void serverErrorStatus_arrivesInTrailersUnchanged() {
        StatusRuntimeException e = catchThrowableOfType(() -> greet("missing-7"), StatusRuntimeException.class);
        assertThat(e).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).isEqualTo("no greeting for missing-7");
        assertThat(greet("after-error")).isEqualTo("hello after-error");
    }
}
