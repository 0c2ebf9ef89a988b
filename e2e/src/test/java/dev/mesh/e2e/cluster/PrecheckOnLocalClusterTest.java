package dev.mesh.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.cluster.api.LocalApiServer;
import dev.mesh.cluster.demo.Walkthrough;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code meshctl x precheck} against the local cluster's API server (no node: no root needed), whose
 * access reviews are answered by RBAC: the admin passes; a service account bound to a ClusterRole that lacks one
 * permission the install needs fails, and the output names that permission and its fix, and passes once that fix is applied (issue 12).
 */
class PrecheckOnLocalClusterTest {

    private static final String MISSING = "mutatingwebhookconfigurations.admissionregistration.k8s.io";

    @TempDir
    Path state;

    @Test
    void precheck_passesForTheAdmin_andNamesTheOnePermissionAServiceAccountLacks() throws Exception {
        Path root = Path.of(System.getProperty("mesh.root"));
        try (LocalApiServer api = LocalApiServer.start(LocalApiServer.Options.defaults(state).withMeshRoot(root)
                .withBindHost("127.0.0.1"))) {
            Run admin = meshctl(root, "x", "precheck", "--kubeconfig", api.kubeconfig().toString());

            assertThat(admin.code()).as(admin.output()).isZero();
            assertThat(admin.output()).contains("\u2714 Install permissions: ")
                    .contains("\u2714 No issues found when checking the cluster. The mesh is safe to install.")
                    .doesNotContain("\u2718");

            Path installer = installerLackingOnePermission(api);
            Run limited = meshctl(root, "x", "precheck", "--kubeconfig", installer.toString());

            assertThat(limited.code()).as(limited.output()).isEqualTo(1);
            assertThat(limited.output())
                    .contains("\u2718 Install permissions: the current user cannot create " + MISSING + " (cluster-wide)")
                    .contains("Fix: grant it, e.g. `kubectl create clusterrolebinding mesh-installer"
                            + " --clusterrole=cluster-admin --serviceaccount=tools:installer`")
                    .contains("1 issue found when checking the cluster; fix them before meshctl install.");
            assertThat(limited.output().lines().filter(l -> l.startsWith("\u2718"))).hasSize(1);

            // The fix as printed: bind the service account to the cluster's cluster-admin.
            api.adminClient().rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                    .withName("mesh-installer").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                    .withKind("ClusterRole").withName("cluster-admin").endRoleRef().addNewSubject()
                    .withKind("ServiceAccount").withName("installer").withNamespace("tools").endSubject().build()).create();
            Run fixed = meshctl(root, "x", "precheck", "--kubeconfig", installer.toString());

            assertThat(fixed.code()).as(fixed.output()).isZero();
            assertThat(fixed.output()).contains("\u2714 No issues found when checking the cluster.");
        }
    }

    /**
     * Service account {@code tools/installer}, bound cluster-wide to a ClusterRole that may create everything in every
     * API group the server serves, except MutatingWebhookConfigurations (the other admissionregistration kinds it may).
     */
    private static Path installerLackingOnePermission(LocalApiServer api) throws IOException {
        KubernetesClient client = api.adminClient();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("tools").endMetadata().build())
                .create();
        client.serviceAccounts().inNamespace("tools").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("installer").endMetadata().build()).create();
        List<String> groups = new ArrayList<>(List.of(""));
        for (APIGroup g : client.getApiGroups().getGroups()) {
            if (!g.getName().equals("admissionregistration.k8s.io")) {
                groups.add(g.getName());
            }
        }
        client.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("almost-installer")
                .endMetadata().withRules(
                        new PolicyRuleBuilder().withApiGroups(groups).withResources("*").withVerbs("create").build(),
                        new PolicyRuleBuilder().withApiGroups("admissionregistration.k8s.io")
                                .withResources("validatingwebhookconfigurations").withVerbs("create", "get", "list")
                                .build(),
                        new PolicyRuleBuilder().withApiGroups("admissionregistration.k8s.io")
                                .withResources("mutatingwebhookconfigurations").withVerbs("get", "list").build())
                .build()).create();
        client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("almost-installer").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole").withName("almost-installer").endRoleRef().addNewSubject()
                .withKind("ServiceAccount").withName("installer").withNamespace("tools").endSubject().build()).create();
        return api.serviceAccountKubeconfig("tools", "installer", Duration.ofMinutes(10));
    }

    private record Run(int code, String output) {
    }

    /** The packaged meshctl as a user runs it: {@code java -jar cli/target/quarkus-app/quarkus-run.jar}. */
    private static Run meshctl(Path root, String... args) throws IOException, InterruptedException {
        List<String> argv = Walkthrough.meshctlCommand(root, args);
        Path output = Files.createTempFile("meshctl", ".out");
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("meshctl " + String.join(" ", args) + " did not exit within 60 s: "
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
