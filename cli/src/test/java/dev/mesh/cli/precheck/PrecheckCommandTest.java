package dev.mesh.cli.precheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mesh.cli.CliRun;
import dev.mesh.cli.testing.Golden;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationListBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionListBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshctl x precheck} against fabric8's API server mock in expectations mode: the API server's version, its
 * answers to SelfSubjectAccessReview (allowed, except the permissions a test denies), and its CRDs and webhooks.
 */
class PrecheckCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    KubernetesMockServer server;
    Path kubeconfig;
    /** {@code resource.group} (or {@code resource}) the user may not create. */
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    /** Every access review asked, as {@code verb resource.group namespace}. */
    final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CustomResourceDefinitionListBuilder crds = new CustomResourceDefinitionListBuilder();
    final MutatingWebhookConfigurationListBuilder webhooks = new MutatingWebhookConfigurationListBuilder();

    @BeforeEach
    void start() throws IOException {
        server = new KubernetesMockServer(false);
        server.init();
        version("28");
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
                .andReply(201, r -> review(r.getUtf8Body())).always();
        server.expect().get().withPath("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
                .andReply(200, r -> crds.build()).always();
        server.expect().get().withPath("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations")
                .andReply(200, r -> webhooks.build()).always();
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: test, user: {token: test}}]
                contexts: [{name: mock, context: {cluster: mock, user: test}}]
                current-context: mock
                """.formatted(server.url("/")));
    }

    @AfterEach
    void stop() {
        server.destroy();
    }

    /** What the API server's /version says (the mock answers it itself). */
    private void version(String minor) {
        server.setVersionInfo(new io.fabric8.kubernetes.client.VersionInfo.Builder().withMajor("1").withMinor(minor)
                .build());
    }

    private SelfSubjectAccessReview review(String body) {
        try {
            SelfSubjectAccessReview review = JSON.readValue(body, SelfSubjectAccessReview.class);
            var attrs = review.getSpec().getResourceAttributes();
            String resource = attrs.getResource() + (attrs.getGroup() == null || attrs.getGroup().isEmpty() ? ""
                    : "." + attrs.getGroup());
            asked.add(attrs.getVerb() + " " + resource + " " + attrs.getNamespace());
            boolean allowed = !denied.contains(resource);
            review.setStatus(new io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder()
                    .withAllowed(allowed).withReason(allowed ? "" : "no RBAC policy matched").build());
            return review;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CliRun.Split precheck(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("x", "precheck", "--kubeconfig", kubeconfig.toString()));
        args.addAll(List.of(extra));
        return CliRun.split(args.toArray(String[]::new));
    }

    @Test
    void cleanCluster_passesEveryCheck_askingCreateOnEveryRenderedKind() {
        CliRun.Split run = precheck();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        Golden.assertMatches("precheck/clean.txt", run.out());
        assertThat(asked).contains("create namespaces null",
                "create deployments.apps istio-system",
                "create clusterroles.rbac.authorization.k8s.io null",
                "create customresourcedefinitions.apiextensions.k8s.io null",
                "create mutatingwebhookconfigurations.admissionregistration.k8s.io null",
                "create serviceaccounts istio-system");
    }

    @Test
    void missingPermission_isNamedWithItsFix_andFails() {
        denied.add("clusterroles.rbac.authorization.k8s.io");
        denied.add("deployments.apps");

        CliRun.Split run = precheck();

        assertThat(run.exitCode()).isEqualTo(1);
        Golden.assertMatches("precheck/missing-permissions.txt", run.out());
        assertThat(run.out()).contains("\u2718 Install permissions: the current user cannot create"
                + " clusterroles.rbac.authorization.k8s.io (cluster-wide) (no RBAC policy matched)")
                .contains("cannot create deployments.apps in namespace istio-system");
    }

    @Test
    void missingPermission_ofAServiceAccount_hasAFixThatBindsThatServiceAccount() {
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/selfsubjectreviews").andReply(201,
                r -> new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder().withNewStatus()
                        .withNewUserInfo().withUsername("system:serviceaccount:tools:installer").endUserInfo()
                        .endStatus().build()).always();
        denied.add("deployments.apps");

        CliRun.Split run = precheck();

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("cannot create deployments.apps in namespace istio-system")
                .contains("Fix: grant it, e.g. `kubectl create clusterrolebinding mesh-installer"
                        + " --clusterrole=cluster-admin --serviceaccount=tools:installer`");
    }

    @Test
    void oldKubernetes_anotherMeshsCrdAndWebhook_areEachAProblem() {
        version("22+");
        crds.addToItems(new CustomResourceDefinitionBuilder().withNewMetadata()
                        .withName("virtualservices.networking.istio.io").addToLabels("app", "istio-pilot").endMetadata()
                        .withNewSpec().withGroup("networking.istio.io").endSpec().build(),
                new CustomResourceDefinitionBuilder().withNewMetadata()
                        .withName("gateways.networking.istio.io").addToLabels("app.kubernetes.io/part-of", "mesh")
                        .endMetadata().withNewSpec().withGroup("networking.istio.io").endSpec().build(),
                new CustomResourceDefinitionBuilder().withNewMetadata().withName("certificates.cert-manager.io")
                        .endMetadata().withNewSpec().withGroup("cert-manager.io").endSpec().build());
        webhooks.addToItems(new MutatingWebhookConfigurationBuilder().withNewMetadata()
                        .withName("istio-sidecar-injector").endMetadata()
                        .addNewWebhook().withName("namespace.sidecar-injector.istio.io").withNewNamespaceSelector()
                        .addNewMatchExpression().withKey("istio-injection").withOperator("In")
                        .withValues("enabled").endMatchExpression().endNamespaceSelector().endWebhook().build(),
                new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("mesh-sidecar-injector")
                        .addToLabels("app.kubernetes.io/part-of", "mesh").endMetadata()
                        .addNewWebhook().withName("sidecar-injector.mesh.dev").withNewNamespaceSelector()
                        .addToMatchLabels("istio-injection", "enabled").endNamespaceSelector().endWebhook().build());

        CliRun.Split run = precheck();

        assertThat(run.exitCode()).isEqualTo(1);
        Golden.assertMatches("precheck/conflicts.txt", run.out());
        assertThat(run.out()).contains("Kubernetes 1.22 is older than 1.23")
                .contains("CRD virtualservices.networking.istio.io is installed by another mesh")
                .doesNotContain("gateways.networking.istio.io is installed")
                .contains("MutatingWebhookConfiguration istio-sidecar-injector")
                .doesNotContain("MutatingWebhookConfiguration mesh-sidecar-injector");
    }

    @Test
    void unreachableCluster_isAnError() throws IOException {
        server.destroy();
        CliRun.Split run = precheck();
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("Error: cannot read the cluster: ");
    }
}
