package dev.mesh.cluster.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cluster.TestCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controllers against the real API server, with pod statuses written by hand as a kubelet
 * would: scaling and rollouts, EndpointSlices following readiness, LoadBalancer addresses,
 * namespace deletion.
 */
class ControllersTest {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        client = TestCluster.get().apiServer().adminClient();
    }

    private static String namespace() {
        String ns = "ctl-" + NEXT.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        return ns;
    }

    private static <T> T await(String what, Supplier<T> value, java.util.function.Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        T v = value.get();
        while (!done.test(v)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last value: " + v);
            }
            Thread.sleep(50);
            v = value.get();
        }
        return v;
    }

    private static Deployment deployment(String ns, String name, int replicas, String image) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).addToLabels("security.istio.io/tlsMode", "istio")
                .endMetadata().withNewSpec().addNewContainer().withName("app").withImage(image).addNewPort().withName("http")
                .withContainerPort(9898).endPort().endContainer().endSpec().endTemplate().endSpec().build();
    }

    private static List<Pod> pods(String ns, String app) {
        return client.pods().inNamespace(ns).withLabel("app", app).list().getItems();
    }

    private static int ipCounter = 10;

    /** What the kubelet does once a pod runs: an IP, Running, Ready (or not). */
    private static synchronized void markRunning(Pod p, boolean ready) {
        String ip = p.getStatus() != null && p.getStatus().getPodIP() != null ? p.getStatus().getPodIP() : "10.244.0." + ipCounter++;
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).editStatus(x ->
                new PodBuilder(x).editStatus().withPhase("Running").withPodIP(ip).withConditions(List.of(
                        new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("Ready")
                                .withStatus(ready ? "True" : "False").build())).endStatus().build());
    }

    @Test
    void deployment_scalesUpAndDown_andReportsReadiness() throws Exception {
        String ns = namespace();
        client.apps().deployments().inNamespace(ns).resource(deployment(ns, "web", 3, "web:1")).create();

        List<Pod> pods = await("3 pods", () -> pods(ns, "web"), l -> l.size() == 3);
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getMetadata().getName()).matches("web-[a-z0-9]+-[a-z0-9]{5}");
            assertThat(p.getMetadata().getLabels()).containsKey("pod-template-hash");
            assertThat(p.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("ReplicaSet");
        });
        pods.forEach(p -> markRunning(p, true));
        Deployment d = await("3 ready replicas", () -> client.apps().deployments().inNamespace(ns).withName("web").get(),
                x -> x.getStatus() != null && Integer.valueOf(3).equals(x.getStatus().getReadyReplicas()));
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
        assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());

        client.apps().deployments().inNamespace(ns).withName("web").scale(1);
        await("1 pod", () -> pods(ns, "web"), l -> l.size() == 1);
        client.apps().deployments().inNamespace(ns).withName("web").scale(2);
        await("2 pods", () -> pods(ns, "web"), l -> l.size() == 2);
    }

    @Test
    void templateChange_rollsOut_newPodsThenOldOnesDeleted() throws Exception {
        String ns = namespace();
        client.apps().deployments().inNamespace(ns).resource(deployment(ns, "api", 2, "api:1")).create();
        List<Pod> old = await("2 pods", () -> pods(ns, "api"), l -> l.size() == 2);
        old.forEach(p -> markRunning(p, true));
        String oldHash = old.get(0).getMetadata().getLabels().get("pod-template-hash");

        client.apps().deployments().inNamespace(ns).withName("api").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("api:2");
            return d;
        });

        List<Pod> fresh = await("2 new pods", () -> pods(ns, "api").stream()
                .filter(p -> !oldHash.equals(p.getMetadata().getLabels().get("pod-template-hash"))).toList(), l -> l.size() == 2);
        assertThat(fresh).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("api:2"));
        // Old pods stay while the new ones are not ready: the rollout never drops ready capacity.
        assertThat(pods(ns, "api")).hasSize(4);

        fresh.forEach(p -> markRunning(p, true));
        List<Pod> after = await("only new pods", () -> pods(ns, "api"), l -> l.size() == 2
                && l.stream().noneMatch(p -> oldHash.equals(p.getMetadata().getLabels().get("pod-template-hash"))));
        assertThat(after).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("api:2"));
        Deployment d = await("rollout complete", () -> client.apps().deployments().inNamespace(ns).withName("api").get(),
                x -> x.getStatus() != null && Integer.valueOf(2).equals(x.getStatus().getUpdatedReplicas())
                        && Integer.valueOf(2).equals(x.getStatus().getReplicas())
                        && Integer.valueOf(2).equals(x.getStatus().getAvailableReplicas()));
        assertThat(d.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Progressing");
            assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
        });
    }

    @Test
    void endpointSlices_followPodReadiness_withTargetRefsAndNamedPorts() throws Exception {
        String ns = namespace();
        client.apps().deployments().inNamespace(ns).resource(deployment(ns, "podinfo", 2, "podinfo:1")).create();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("podinfo").endMetadata()
                .withNewSpec().addToSelector("app", "podinfo").addNewPort().withName("http").withPort(80)
                .withNewTargetPort("http").endPort().endSpec().build()).create();
        List<Pod> pods = await("2 pods", () -> pods(ns, "podinfo"), l -> l.size() == 2);
        markRunning(pods.get(0), true);
        markRunning(pods.get(1), false);

        EndpointSlice slice = await("a slice with both pods", () -> slice(ns, "podinfo"),
                s -> s != null && s.getEndpoints() != null && s.getEndpoints().size() == 2);
        assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "podinfo");
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).isEqualTo(9898);
        });
        Endpoint ready = endpointOf(slice, pods.get(0));
        Endpoint notReady = endpointOf(slice, pods.get(1));
        assertThat(ready.getConditions().getReady()).isTrue();
        assertThat(notReady.getConditions().getReady()).isFalse();
        assertThat(ready.getTargetRef().getKind()).isEqualTo("Pod");

        markRunning(pods.get(1), true);
        await("both ready", () -> slice(ns, "podinfo"), s -> s.getEndpoints().stream()
                .allMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady())));
        client.pods().inNamespace(ns).withName(pods.get(0).getMetadata().getName()).delete();
        await("the deleted pod's endpoint gone", () -> slice(ns, "podinfo"), s -> s.getEndpoints().stream()
                .noneMatch(e -> e.getTargetRef().getName().equals(pods.get(0).getMetadata().getName())));
    }

    private static EndpointSlice slice(String ns, String svc) {
        List<EndpointSlice> l = client.discovery().v1().endpointSlices().inNamespace(ns)
                .withLabel("kubernetes.io/service-name", svc).list().getItems();
        return l.isEmpty() ? null : l.get(0);
    }

    private static Endpoint endpointOf(EndpointSlice s, Pod p) {
        return s.getEndpoints().stream().filter(e -> e.getTargetRef().getName().equals(p.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no endpoint for " + p.getMetadata().getName() + " in " + s));
    }

    @Test
    void loadBalancerService_getsTheIpOfAReadyEndpointPod() throws Exception {
        String ns = namespace();
        client.apps().deployments().inNamespace(ns).resource(deployment(ns, "gw", 1, "gw:1")).create();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("gw").endMetadata()
                .withNewSpec().withType("LoadBalancer").addToSelector("app", "gw").addNewPort().withName("http").withPort(80)
                .withNewTargetPort(9898).endPort().endSpec().build()).create();
        Pod pod = await("1 pod", () -> pods(ns, "gw"), l -> l.size() == 1).get(0);
        markRunning(pod, true);
        String ip = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get().getStatus().getPodIP();

        var svc = await("an ingress IP", () -> client.services().inNamespace(ns).withName("gw").get(),
                s -> s.getStatus().getLoadBalancer().getIngress() != null && !s.getStatus().getLoadBalancer().getIngress().isEmpty());
        assertThat(svc.getStatus().getLoadBalancer().getIngress().get(0).getIp()).isEqualTo(ip);
    }

    @Test
    void namespaceDeletion_removesEveryObjectThenTheNamespace() throws Exception {
        String ns = namespace();
        client.apps().deployments().inNamespace(ns).resource(deployment(ns, "doomed", 2, "x:1")).create();
        client.genericKubernetesResources("networking.istio.io/v1", "VirtualService").inNamespace(ns)
                .resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder().withApiVersion("networking.istio.io/v1")
                        .withKind("VirtualService").withNewMetadata().withName("vs").endMetadata()
                        .addToAdditionalProperties("spec", java.util.Map.of("hosts", List.of("a"))).build()).create();
        await("2 pods", () -> pods(ns, "doomed"), l -> l.size() == 2);
        await("default service account", () -> client.serviceAccounts().inNamespace(ns).withName("default").get(), sa -> sa != null);

        client.namespaces().withName(ns).delete();
        var terminating = client.namespaces().withName(ns).get();
        if (terminating != null) {
            assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
        }

        await("namespace gone", () -> client.namespaces().withName(ns).get(), n -> n == null);
        assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.apps().replicaSets().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.genericKubernetesResources("networking.istio.io/v1", "VirtualService").inNamespace(ns).list().getItems()).isEmpty();
    }
}
