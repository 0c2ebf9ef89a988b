package dev.mesh.distributor.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.Kind;
import dev.mesh.api.networking.VirtualService;
import dev.mesh.distributor.model.EndpointModel;
import dev.mesh.distributor.model.MeshSnapshot;
import dev.mesh.distributor.model.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watches against the fabric8 mock API server in CRUD mode, with the project's own CRDs installed. */
@EnableKubernetesMockClient(crud = true)
class KubeWatcherTest {

    static KubernetesClient client;

    private final LinkedBlockingQueue<MeshSnapshot> snapshots = new LinkedBlockingQueue<>();
    private ScheduledExecutorService executor;
    private KubeWatcher watcher;

    @BeforeAll
    static void installCrds() throws Exception {
        Path crds = Path.of(System.getProperty("user.dir")).resolve("../../deploy/charts/mesh/crds");
        try (var files = Files.list(crds)) {
            for (Path file : files.toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    client.apiextensions().v1().customResourceDefinitions()
                            .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
                }
            }
        }
    }

    @BeforeEach
    void start() {
        executor = Executors.newSingleThreadScheduledExecutor();
        MeshStore store = new MeshStore(executor, Duration.ofMillis(50), Duration.ofSeconds(1), snapshots::add);
        watcher = new KubeWatcher(client, store);
        watcher.start();
    }

    @AfterEach
    void stop() {
        watcher.close();
        executor.shutdownNow();
    }

    @Test
    void servicesSlicesAndVirtualServices_arriveInOneSnapshot() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("demo")
                .addToLabels("istio-injection", "enabled").endMetadata().build()).create();
        client.services().inNamespace("demo").resource(new ServiceBuilder().withNewMetadata().withName("podinfo")
                .withNamespace("demo").endMetadata().withNewSpec().addToSelector("app", "podinfo")
                .withClusterIP("10.96.0.10").addNewPort().withName("http").withPort(80)
                .withNewTargetPort(9898).endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("demo").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("podinfo-abc").withNamespace("demo")
                .addToLabels("kubernetes.io/service-name", "podinfo").endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(9898).endPort()
                .addNewEndpoint().withAddresses("10.244.0.5").withNewConditions().withReady(true).endConditions()
                .withNewTargetRef().withKind("Pod").withName("podinfo-v1-x").endTargetRef().endEndpoint()
                .build()).create();
        virtualServices().inNamespace("demo").resource(Serialization.unmarshal("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: podinfo, namespace: demo}
                spec:
                  hosts: [podinfo.demo.svc.cluster.local]
                  http:
                  - route:
                    - destination: {host: podinfo.demo.svc.cluster.local}
                """, GenericKubernetesResource.class)).create();

        MeshSnapshot snapshot = await(s -> s.services().size() == 1 && inNamespace(s, "demo").contains("podinfo")
                && !s.endpointsOf(new ObjectKey("demo", "podinfo")).isEmpty() && s.namespaces().containsKey("demo"));
        assertThat(snapshot.service("demo", "podinfo").orElseThrow().ports().get(0).targetPort()).isEqualTo("9898");
        List<EndpointModel> endpoints = snapshot.endpointsOf(new ObjectKey("demo", "podinfo"));
        assertThat(endpoints).containsExactly(new EndpointModel("10.244.0.5", java.util.Map.of("http", 9898),
                "podinfo-v1-x", true));
        VirtualService vs = snapshot.of(Kind.VIRTUAL_SERVICE).stream()
                .filter(r -> r.metadata().namespace().equals("demo")).findFirst().orElseThrow().spec();
        assertThat(vs.hosts()).containsExactly("podinfo.demo.svc.cluster.local");
        assertThat(snapshot.namespaces().get("demo").labels()).containsEntry("istio-injection", "enabled");
    }

    @Test
    void invalidVirtualService_isKeptOut_andTheValidOnesStay() throws Exception {
        virtualServices().inNamespace("invalid").resource(Serialization.unmarshal("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: good, namespace: invalid}
                spec:
                  hosts: [a.demo.svc.cluster.local]
                  http:
                  - route:
                    - destination: {host: a.demo.svc.cluster.local}
                """, GenericKubernetesResource.class)).create();
        virtualServices().inNamespace("invalid").resource(Serialization.unmarshal("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: bad, namespace: invalid}
                spec:
                  hosts: [b.demo.svc.cluster.local]
                  http:
                  - route:
                    - destination: {host: b.demo.svc.cluster.local}
                      weight: -5
                """, GenericKubernetesResource.class)).create();
        MeshSnapshot snapshot = await(s -> inNamespace(s, "invalid").contains("good"));
        Thread.sleep(300);
        MeshSnapshot latest = drainLatest(snapshot);
        assertThat(inNamespace(latest, "invalid")).containsExactly("good");
    }

    @Test
    void deletion_removesTheResourceFromTheNextSnapshot() throws Exception {
        GenericKubernetesResource vs = Serialization.unmarshal("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: gone, namespace: deleted}
                spec:
                  hosts: [a.demo.svc.cluster.local]
                  http:
                  - route:
                    - destination: {host: a.demo.svc.cluster.local}
                """, GenericKubernetesResource.class);
        virtualServices().inNamespace("deleted").resource(vs).create();
        await(s -> inNamespace(s, "deleted").contains("gone"));
        virtualServices().inNamespace("deleted").withName("gone").delete();
        await(s -> inNamespace(s, "deleted").isEmpty());
    }

    private io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> virtualServices() {
        return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
                .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService")
                .withPlural("virtualservices").withNamespaced(true).build());
    }

    private static List<String> inNamespace(MeshSnapshot s, String namespace) {
        return s.of(Kind.VIRTUAL_SERVICE).stream().filter(r -> r.metadata().namespace().equals(namespace))
                .map(r -> r.metadata().name()).toList();
    }

    private MeshSnapshot await(Predicate<MeshSnapshot> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            MeshSnapshot s = snapshots.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && condition.test(s)) {
                return s;
            }
        }
        throw new AssertionError("no snapshot matched within 10 s");
    }

    private MeshSnapshot drainLatest(MeshSnapshot current) {
        MeshSnapshot latest = current;
        for (MeshSnapshot s; (s = snapshots.poll()) != null; ) {
            latest = s;
        }
        return latest;
    }
}
