package dev.mesh.cluster.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cluster.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kubectl (1.32, /usr/bin/kubectl) drives the walkthrough's commands against the local API
 * server, in the walkthrough's order and namespace. Skipped with a message where kubectl is absent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlTest {

    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final Path WALKTHROUGH = LocalApiServer.findMeshRoot().resolve("samples/walkthrough");
    private static LocalApiServer api;
    private static KubernetesClient client;

    @TempDir
    static Path tmp;

    record Result(int code, String out) {
    }

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL
                + " (the package manager here has no kubectl package); skipping the kubectl tests");
        api = TestCluster.get().apiServer();
        client = api.adminClient();
    }

    private static Result kubectl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", api.kubeconfig().toString());
        pb.environment().put("HOME", tmp.toString());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 30 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String ok(String... args) throws Exception {
        Result r = kubectl(args);
        assertThat(r.code()).as("kubectl %s:\n%s", String.join(" ", args), r.out()).isZero();
        return r.out();
    }

    private static String manifest(String name) {
        return WALKTHROUGH.resolve(name).toString();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    @Order(1)
    void createAndLabelNamespace() throws Exception {
        assertThat(ok("create", "namespace", "demo")).contains("namespace/demo created");
        assertThat(ok("label", "namespace", "demo", "istio-injection=enabled")).contains("namespace/demo labeled");
        assertThat(ok("get", "namespace", "demo", "--show-labels")).contains("istio-injection=enabled").contains("Active");
    }

    @Test
    @Order(2)
    void applyWalkthroughManifests_builtInsAndIstioCrds_thenReapplyWithAChange() throws Exception {
        assertThat(ok("apply", "-f", manifest("podinfo-v1.yaml"), "-f", manifest("podinfo-v2.yaml"), "-f", manifest("podinfo-svc.yaml")))
                .contains("deployment.apps/podinfo-v1 created", "deployment.apps/podinfo-v2 created", "service/podinfo created");
        assertThat(ok("apply", "-f", manifest("peer-authentication.yaml"), "-f", manifest("gateway.yaml"), "-f",
                manifest("destination-rule.yaml"), "-f", manifest("virtualservice-canary.yaml")))
                .contains("peerauthentication.security.istio.io/default created", "gateway.networking.istio.io/podinfo-gw created",
                        "destinationrule.networking.istio.io/podinfo created", "virtualservice.networking.istio.io/podinfo created");
        assertThat(ok("apply", "-f", manifest("podinfo-v1.yaml"))).contains("deployment.apps/podinfo-v1 unchanged");

        Path changed = tmp.resolve("podinfo-v1.yaml");
        Files.writeString(changed, Files.readString(WALKTHROUGH.resolve("podinfo-v1.yaml")).replace("replicas: 1", "replicas: 2"));
        assertThat(ok("apply", "-f", changed.toString())).contains("deployment.apps/podinfo-v1 configured");
        assertThat(ok("-n", "demo", "get", "deploy", "podinfo-v1", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[*].name}"))
                .isEqualTo("2 podinfo");
        Path vs = tmp.resolve("vs.yaml");
        Files.writeString(vs, Files.readString(WALKTHROUGH.resolve("virtualservice-canary.yaml")).replace("weight: 90", "weight: 80")
                .replace("weight: 10", "weight: 20"));
        assertThat(ok("apply", "-f", vs.toString())).contains("virtualservice.networking.istio.io/podinfo configured");
        assertThat(ok("-n", "demo", "get", "vs", "podinfo", "-o", "jsonpath={.spec.http[0].route[*].weight}")).isEqualTo("80 20");
    }

    @Test
    @Order(3)
    void getPods_showsReadyAndStatusColumns() throws Exception {
        await("the Deployments' pods", () -> client.pods().inNamespace("demo").list().getItems().size() == 3);
        client.pods().inNamespace("demo").resource(new PodBuilder().withNewMetadata().withName("injected").addToLabels("app", "x")
                .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("a").endContainer()
                .addNewContainer().withName("istio-proxy").withImage("p").endContainer().endSpec().build()).create();
        client.pods().inNamespace("demo").withName("injected").editStatus(p -> new PodBuilder(p).editStatus().withPhase("Running")
                .addNewContainerStatus().withName("app").withReady(true).withRestartCount(0).withNewState().withNewRunning()
                .endRunning().endState().endContainerStatus()
                .addNewContainerStatus().withName("istio-proxy").withReady(true).withRestartCount(1).withNewState().withNewRunning()
                .endRunning().endState().endContainerStatus().endStatus().build());

        String out = ok("-n", "demo", "get", "pods");

        assertThat(out.lines().findFirst().orElseThrow()).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
        assertThat(out).containsPattern("injected\\s+2/2\\s+Running\\s+1\\s+\\d+s");
        assertThat(out).containsPattern("podinfo-v1-[a-z0-9]+-[a-z0-9]{5}\\s+0/1\\s+Pending\\s+0");
        assertThat(out.lines().filter(l -> l.startsWith("podinfo-v1-")).count()).isEqualTo(2);
    }

    @Test
    @Order(4)
    void getIstioResources_withTheirPrinterColumns() throws Exception {
        String out = ok("-n", "demo", "get", "gateway,virtualservice,destinationrule");

        assertThat(out).contains("gateway.networking.istio.io/podinfo-gw", "virtualservice.networking.istio.io/podinfo",
                "destinationrule.networking.istio.io/podinfo");
        assertThat(out).containsPattern("NAME\\s+GATEWAYS\\s+HOSTS\\s+AGE");
        assertThat(out).contains("podinfo.demo.svc.cluster.local");
        assertThat(ok("-n", "demo", "get", "peerauthentication")).containsPattern("default\\s+STRICT");
    }

    @Test
    @Order(5)
    void getWatch_seesAChange() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(KUBECTL.toString(), "-n", "demo", "get", "pods", "injected", "-w")
                .redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", api.kubeconfig().toString());
        pb.environment().put("HOME", tmp.toString());
        Process p = pb.start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
        });
        reader.start();
        try {
            assertThat(lines.poll(15, TimeUnit.SECONDS)).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
            assertThat(lines.poll(15, TimeUnit.SECONDS)).containsPattern("injected\\s+2/2\\s+Running");

            client.pods().inNamespace("demo").withName("injected").editStatus(pod -> {
                pod.getStatus().getContainerStatuses().get(0).setReady(false);
                pod.getStatus().getContainerStatuses().get(0).setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                        .withNewWaiting().withReason("CrashLoopBackOff").endWaiting().build());
                return pod;
            });

            assertThat(lines.poll(15, TimeUnit.SECONDS)).containsPattern("injected\\s+1/2\\s+CrashLoopBackOff");
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(6)
    void patch_strategicMergeAndJsonMerge() throws Exception {
        ok("-n", "demo", "patch", "deployment", "podinfo-v2", "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"podinfo\",\"env\":[{\"name\":\"LEVEL\",\"value\":\"debug\"}]}]}}}}");
        assertThat(ok("-n", "demo", "get", "deploy", "podinfo-v2", "-o",
                "jsonpath={.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value}"))
                .isEqualTo("podinfo ghcr.io/stefanprodan/podinfo:6.7.0 debug");

        ok("-n", "demo", "patch", "virtualservice", "podinfo", "--type=merge", "-p", "{\"spec\":{\"hosts\":[\"podinfo.example.com\"]}}");
        assertThat(ok("-n", "demo", "get", "vs", "podinfo", "-o", "jsonpath={.spec.hosts}")).isEqualTo("[\"podinfo.example.com\"]");

        Result strategicOnCrd = kubectl("-n", "demo", "patch", "virtualservice", "podinfo", "-p", "{\"spec\":{\"hosts\":[\"x\"]}}");
        assertThat(strategicOnCrd.code()).isNotZero();
        assertThat(strategicOnCrd.out()).contains("strategic-merge-patch");
    }

    @Test
    @Order(7)
    void delete_objectsAndTheNamespace() throws Exception {
        assertThat(ok("delete", "-f", manifest("virtualservice-canary.yaml"))).contains("virtualservice.networking.istio.io \"podinfo\" deleted");
        assertThat(kubectl("-n", "demo", "get", "vs", "podinfo").out()).contains("NotFound");

        assertThat(ok("delete", "namespace", "demo")).contains("namespace \"demo\" deleted");

        assertThat(client.namespaces().withName("demo").get()).isNull();
        assertThat(client.pods().inNamespace("demo").list().getItems()).isEmpty();
        assertThat(client.genericKubernetesResources("networking.istio.io/v1", "Gateway").inNamespace("demo").list().getItems()).isEmpty();
    }

    @Test
    @Order(8)
    void unknownResourceAndSubresource_areNotFound() throws Exception {
        assertThat(kubectl("get", "--raw", "/api/v1/namespaces/default/pods/nothing/log").out()).contains("NotFound");
        assertThat(kubectl("get", "widgets").out()).contains("the server doesn't have a resource type \"widgets\"");
    }
}
