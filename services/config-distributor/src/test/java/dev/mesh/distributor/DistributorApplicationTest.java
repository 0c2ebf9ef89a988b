package dev.mesh.distributor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mesh.distributor.config.DistributorConfig;
import dev.mesh.distributor.xds.TypeUrl;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole service against the fabric8 mock API server: resources created through the API reach a
 * real ADS client as Envoy config, changes within a second, deletions too.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DistributorApplicationTest {

    @Inject
    DistributorConfig config;

    @Inject
    KubernetesClient client;

    @Inject
    DistributorMain main;

    private static final ResourceDefinitionContext VIRTUAL_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService")
            .withPlural("virtualservices").withNamespaced(true).build();

    @BeforeAll
    static void crdsFirst() {
        // nothing static: the CRDs are created by the first test through the injected client
    }

    @Test
    void metrics_areServedInPrometheusFormat() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }

    @Test
    void ports_defaultToTheArchitecture_outsideTests() {
        assertThat(config.xdsTlsPort()).isEqualTo(15012);
        assertThat(config.httpPort()).isEqualTo(15014);
        assertThat(config.domainSuffix()).isEqualTo("cluster.local");
    }

    @Test
    void virtualServiceChanges_reachAConnectedProxyWithinASecond() throws Exception {
        installCrds();
        client.resource(Serialization.unmarshal("""
                apiVersion: v1
                kind: Service
                metadata: {name: podinfo, namespace: demo}
                spec:
                  clusterIP: 10.96.0.20
                  selector: {app: podinfo}
                  ports: [{name: http, port: 80, targetPort: 9898}]
                """, io.fabric8.kubernetes.api.model.Service.class)).create();
        client.resource(Serialization.unmarshal("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: podinfo, namespace: demo}
                spec:
                  host: podinfo.demo.svc.cluster.local
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                """, GenericKubernetesResource.class)).create();
        client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("demo").resource(vs(90, 10)).create();

        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", main.xdsPort(),
                InsecureChannelCredentials.create()).build();
        try {
            BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
            StreamObserver<DiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(channel)
                    .streamAggregatedResources(collect(responses));
            requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder()
                            .setId("sidecar~10.244.0.7~client.demo~demo.svc.cluster.local")
                            .setMetadata(Struct.newBuilder().putFields("NAMESPACE",
                                    Value.newBuilder().setStringValue("demo").build())))
                    .setTypeUrl(TypeUrl.ROUTE).addResourceNames("80").build());

            DiscoveryResponse first = await(responses, r -> weights(r).equals("90/10"));
            ack(requests, first);

            // a second proxy rejects what it is sent: it is reported, and the first keeps getting updates
            BlockingQueue<DiscoveryResponse> rejected = new LinkedBlockingQueue<>();
            StreamObserver<DiscoveryRequest> rejecting = AggregatedDiscoveryServiceGrpc.newStub(channel)
                    .streamAggregatedResources(collect(rejected));
            rejecting.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder()
                            .setId("sidecar~10.244.0.8~picky.demo~demo.svc.cluster.local"))
                    .setTypeUrl(TypeUrl.ROUTE).addResourceNames("80").build());
            DiscoveryResponse toReject = await(rejected, r -> true);
            rejecting.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TypeUrl.ROUTE).addResourceNames("80")
                    .setResponseNonce(toReject.getNonce()).setErrorDetail(com.google.rpc.Status.newBuilder()
                            .setCode(3).setMessage("route 80: unsupported retry policy")).build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String syncz = "";
            while (System.nanoTime() < deadline && !syncz.contains("unsupported retry policy")) {
                syncz = given().when().get("/debug/syncz").then().statusCode(200).extract().asString();
                Thread.sleep(50);
            }
            assertThat(syncz).contains("sidecar~10.244.0.7~client.demo~demo.svc.cluster.local")
                    .contains("route 80: unsupported retry policy").contains(toReject.getVersionInfo());
            given().when().get("/debug/config_dump?proxyID=client.demo").then().statusCode(200)
                    .body(containsString("outbound|80|v2|podinfo.demo.svc.cluster.local"));
            given().when().get("/debug/config_dump?proxyID=nobody.demo").then().statusCode(404)
                    .body(containsString("not connected"));

            long changed = System.nanoTime();
            client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("demo").resource(vs(20, 80)).update();
            DiscoveryResponse second = await(responses, r -> weights(r).equals("20/80"));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed)).isLessThan(1000);
            ack(requests, second);

            client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("demo").withName("podinfo").delete();
            DiscoveryResponse third = await(responses, r -> weights(r).equals("default"));
            assertThat(third.getVersionInfo()).isNotEqualTo(second.getVersionInfo());
            requests.onCompleted();
            rejecting.onCompleted();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void installCrds() throws Exception {
        Path crds = Path.of(System.getProperty("user.dir")).resolve("../../deploy/charts/mesh/crds");
        try (var files = Files.list(crds)) {
            for (Path file : files.toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
                    if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                            .get() == null) {
                        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                    }
                }
            }
        }
    }

    private static GenericKubernetesResource vs(int v1, int v2) {
        return Serialization.unmarshal("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: [podinfo.demo.svc.cluster.local]
                  http:
                  - route:
                    - destination: {host: podinfo.demo.svc.cluster.local, subset: v1}
                      weight: %d
                    - destination: {host: podinfo.demo.svc.cluster.local, subset: v2}
                      weight: %d
                """.formatted(v1, v2), GenericKubernetesResource.class);
    }

    /** The podinfo route's split as "v1/v2" weights, or "default" for the default route. */
    private static String weights(DiscoveryResponse response) {
        try {
            for (var any : response.getResourcesList()) {
                RouteConfiguration rc = any.unpack(RouteConfiguration.class);
                for (VirtualHost vh : rc.getVirtualHostsList()) {
                    if (vh.getName().startsWith("podinfo.demo.svc.cluster.local")) {
                        var action = vh.getRoutes(0).getRoute();
                        if (action.hasWeightedClusters()) {
                            return action.getWeightedClusters().getClusters(0).getWeight().getValue() + "/"
                                    + action.getWeightedClusters().getClusters(1).getWeight().getValue();
                        }
                        return vh.getRoutes(0).getName();
                    }
                }
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        return "none";
    }

    private static DiscoveryResponse await(BlockingQueue<DiscoveryResponse> responses,
            Predicate<DiscoveryResponse> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            DiscoveryResponse r = responses.poll(100, TimeUnit.MILLISECONDS);
            if (r != null && condition.test(r)) {
                return r;
            }
        }
        throw new AssertionError("no matching response within 10 s");
    }

    private static void ack(StreamObserver<DiscoveryRequest> requests, DiscoveryResponse response) {
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(response.getTypeUrl()).addResourceNames("80")
                .setVersionInfo(response.getVersionInfo()).setResponseNonce(response.getNonce()).build());
    }

    private static <T> StreamObserver<T> collect(BlockingQueue<T> queue) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                queue.add(value);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
