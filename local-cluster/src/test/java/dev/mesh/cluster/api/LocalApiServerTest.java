package dev.mesh.cluster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.cluster.LocalCluster;
import dev.mesh.cluster.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API server as our services use it: the fabric8 client, TokenReview as citadel-ca sends it, watches. */
class LocalApiServerTest {

    private static final String NS = "api-test";
    private static LocalApiServer api;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        LocalCluster cluster = TestCluster.get();
        api = cluster.apiServer();
        client = api.adminClient();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        client.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata().withName("podinfo")
                .endMetadata().build()).create();
    }

    private static TokenReview review(String token, String... audiences) {
        return client.authentication().v1().tokenReviews().create(new TokenReviewBuilder().withNewSpec().withToken(token)
                .withAudiences(audiences).endSpec().build());
    }

    @Test
    void startsWithCrdsNamespacesAndAKubeconfig() throws Exception {
        assertThat(client.namespaces().withName("default").get()).isNotNull();
        assertThat(client.namespaces().withName("kube-system").get()).isNotNull();
        assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
                .extracting(c -> c.getMetadata().getName()).contains("virtualservices.networking.istio.io",
                        "destinationrules.networking.istio.io", "gateways.networking.istio.io",
                        "peerauthentications.security.istio.io");
        assertThat(Files.readString(api.kubeconfig())).contains(api.url()).contains("certificate-authority-data");
        try (KubernetesClient fromFile = new KubernetesClientBuilder().withConfig(
                io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build()) {
            assertThat(fromFile.namespaces().withName("default").get()).isNotNull();
        }
    }

    @Test
    void tokenReview_acceptsAnIssuedToken_withTheCasAudience() {
        String token = api.tokens().issue(NS, "podinfo", List.of("istio-ca"), Duration.ofHours(1));

        TokenReview r = review(token, "istio-ca");

        assertThat(r.getStatus().getAuthenticated()).isTrue();
        assertThat(r.getStatus().getUser().getUsername()).isEqualTo("system:serviceaccount:" + NS + ":podinfo");
        assertThat(r.getStatus().getUser().getGroups()).contains("system:serviceaccounts:" + NS);
        assertThat(r.getStatus().getAudiences()).containsExactly("istio-ca");
    }

    @Test
    void tokenReview_refusesForgedExpiredMisaddressedAndOrphanTokens() throws Exception {
        String forged = new TokenIssuer(Clock.systemUTC()).issue(NS, "podinfo", List.of("istio-ca"), Duration.ofHours(1));
        String otherAudience = api.tokens().issue(NS, "podinfo", List.of("vault"), Duration.ofHours(1));
        String noSuchAccount = api.tokens().issue(NS, "ghost", List.of("istio-ca"), Duration.ofHours(1));

        assertRefused(review(forged, "istio-ca"), "signature");
        assertRefused(review(otherAudience, "istio-ca"), "audiences");
        assertRefused(review(noSuchAccount, "istio-ca"), "ghost");
        assertRefused(review("garbage", "istio-ca"), "not a JWT");
    }

    private static void assertRefused(TokenReview r, String why) {
        assertThat(r.getStatus().getAuthenticated()).isFalse();
        assertThat(r.getStatus().getError()).contains(why);
    }

    @Test
    void requestsWithoutAValidToken_are401_andServiceAccountTokensAreAccepted() {
        io.fabric8.kubernetes.client.Config anonymous = new io.fabric8.kubernetes.client.ConfigBuilder(api.adminConfig())
                .withOauthToken("wrong").build();
        try (KubernetesClient c = new KubernetesClientBuilder().withConfig(anonymous).build()) {
            assertThatThrownBy(() -> c.namespaces().list()).isInstanceOfSatisfying(KubernetesClientException.class,
                    e -> assertThat(e.getCode()).isEqualTo(401));
        }
        String saToken = api.tokens().issue(NS, "podinfo", List.of(), Duration.ofHours(1));
        try (KubernetesClient c = new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
                api.adminConfig()).withOauthToken(saToken).build()).build()) {
            assertThat(c.namespaces().withName(NS).get()).isNotNull();
        }
    }

    @Test
    void unknownSubresource_is404_andLogsComeFromTheProvider() {
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("logger").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("x").endContainer().endSpec().build()).create();
        assertThatThrownBy(() -> client.raw(api.url() + "/api/v1/namespaces/" + NS + "/pods/logger/nothing", "GET", null))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));

        api.setPodLogProvider((ns, pod, container) -> NS.equals(ns) && "logger".equals(pod)
                ? Optional.of("line 1\nline 2\n") : Optional.empty());
        try {
            assertThat(client.pods().inNamespace(NS).withName("logger").getLog()).isEqualTo("line 1\nline 2\n");
            assertThat(client.pods().inNamespace(NS).withName("logger").tailingLines(1).getLog()).isEqualTo("line 2\n");
        } finally {
            api.setPodLogProvider(null);
        }
        assertThatThrownBy(() -> client.pods().inNamespace(NS).withName("logger").getLog())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void createSetsIdentityFields_andUpdatesBumpResourceVersionAndGeneration() {
        ConfigMap cm = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
                .withGenerateName("gen-").endMetadata().addToData("a", "1").build()).create();

        assertThat(cm.getMetadata().getName()).matches("gen-[a-z0-9]{5}");
        assertThat(cm.getMetadata().getUid()).isNotEmpty();
        assertThat(cm.getMetadata().getCreationTimestamp()).isNotEmpty();
        assertThat(cm.getMetadata().getGeneration()).isEqualTo(1L);

        ConfigMap edited = client.configMaps().inNamespace(NS).withName(cm.getMetadata().getName())
                .edit(c -> new ConfigMapBuilder(c).addToData("b", "2").build());
        assertThat(Long.parseLong(edited.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(cm.getMetadata().getResourceVersion()));
        assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(edited.getMetadata().getUid()).isEqualTo(cm.getMetadata().getUid());
    }

    @Test
    void services_getClusterIpsFromTheServiceRange() {
        var svc = client.services().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata().withNewSpec().addToSelector("app", "web")
                .addNewPort().withPort(80).endPort().endSpec().build()).create();

        assertThat(svc.getSpec().getClusterIP()).startsWith("10.96.");
        assertThat(svc.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(80);
        assertThat(svc.getSpec().getPorts().get(0).getProtocol()).isEqualTo("TCP");
    }

    @Test
    void fabric8Watch_seesChanges() throws Exception {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch w = client.configMaps().inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                events.add(action + " " + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("watched")
                    .endMetadata().build()).create();
            client.configMaps().inNamespace(NS).withName("watched").delete();
            String first = poll(events, "ADDED watched");
            assertThat(first).isEqualTo("ADDED watched");
            assertThat(poll(events, "DELETED watched")).isEqualTo("DELETED watched");
        }
    }

    private static String poll(LinkedBlockingQueue<String> events, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String e = events.poll(100, TimeUnit.MILLISECONDS);
            if (wanted.equals(e)) {
                return e;
            }
        }
        return null;
    }
}
