package dev.mesh.cluster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.cluster.TestCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The access reviews through the API server's front: the requester from the bearer token (the admin token, a
 * service-account token of {@link LocalApiServer#serviceAccountKubeconfig}), its stored RBAC policies, and
 * SubjectAccessReview for another user.
 */
class AccessReviewTest {

    private static final String NS = "rbac-test";
    private static LocalApiServer api;
    private static KubernetesClient admin;

    @BeforeAll
    static void start() {
        api = TestCluster.get().apiServer();
        admin = api.adminClient();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("reader").endMetadata().build()).create();
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("rbac-test-pod-reader")
                .endMetadata().withRules(new PolicyRuleBuilder().withApiGroups("").withResources("pods", "pods/log")
                        .withVerbs("get", "list").build()).build()).create();
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("rbac-test-readers").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole").withName("rbac-test-pod-reader").endRoleRef().addNewSubject()
                .withKind("ServiceAccount").withName("reader").withNamespace(NS).endSubject().build()).create();
    }

    private static SubjectAccessReviewStatus selfReview(KubernetesClient client, String verb, String resource,
            String subresource) {
        return client.authorization().v1().selfSubjectAccessReview().create(new SelfSubjectAccessReviewBuilder()
                .withNewSpec().withNewResourceAttributes().withVerb(verb).withResource(resource)
                .withSubresource(subresource).withNamespace("default").endResourceAttributes().endSpec().build())
                .getStatus();
    }

    @Test
    void serviceAccountKubeconfig_isThatServiceAccount_withItsRbacPermissions() throws Exception {
        Path kubeconfig = api.serviceAccountKubeconfig(NS, "reader", Duration.ofMinutes(10));

        assertThat(kubeconfig.getFileName().toString()).isEqualTo("kubeconfig-" + NS + "-reader");
        assertThat(Files.getPosixFilePermissions(kubeconfig)).hasSize(2);
        try (KubernetesClient reader = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
            SelfSubjectReview who = reader.authentication().v1().selfSubjectReviews().create(
                    new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder().build());
            assertThat(who.getStatus().getUserInfo().getUsername()).isEqualTo("system:serviceaccount:" + NS + ":reader");
            assertThat(who.getStatus().getUserInfo().getGroups()).contains("system:serviceaccounts:" + NS);

            SubjectAccessReviewStatus logs = selfReview(reader, "get", "pods", "log");
            assertThat(logs.getAllowed()).isTrue();
            assertThat(logs.getReason()).isEqualTo("RBAC: allowed by ClusterRoleBinding \"rbac-test-readers\" of"
                    + " ClusterRole \"rbac-test-pod-reader\" to ServiceAccount \"reader/" + NS + "\"");
            SubjectAccessReviewStatus create = selfReview(reader, "create", "pods", null);
            assertThat(create.getAllowed()).isFalse();
            assertThat(create.getReason()).isNullOrEmpty();
        }
        assertThat(selfReview(admin, "create", "pods", null).getAllowed()).as("the admin is in system:masters").isTrue();
    }

    @Test
    void serviceAccountKubeconfig_ofAMissingServiceAccount_isRefused() {
        assertThatThrownBy(() -> api.serviceAccountKubeconfig(NS, "nobody", Duration.ofMinutes(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NS + "/nobody does not exist");
    }

    @Test
    void subjectAccessReview_answersForTheUserAndGroupsOfItsSpec() {
        SubjectAccessReview asReader = admin.authorization().v1().subjectAccessReview().create(
                new SubjectAccessReviewBuilder().withNewSpec().withUser("system:serviceaccount:" + NS + ":reader")
                        .withNewResourceAttributes().withVerb("list").withResource("pods").endResourceAttributes()
                        .endSpec().build());
        SubjectAccessReview asOther = admin.authorization().v1().subjectAccessReview().create(
                new SubjectAccessReviewBuilder().withNewSpec().withUser("someone").withGroups("system:authenticated")
                        .withNewResourceAttributes().withVerb("list").withResource("pods").endResourceAttributes()
                        .endSpec().build());

        assertThat(asReader.getStatus().getAllowed()).isTrue();
        assertThat(asReader.getStatus().getReason()).contains("ClusterRoleBinding \"rbac-test-readers\"");
        assertThat(asOther.getStatus().getAllowed()).isFalse();
        assertThatThrownBy(() -> admin.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                .withNewSpec().withNewResourceAttributes().withVerb("list").withResource("pods").endResourceAttributes()
                .endSpec().build())).isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("at least one of user or group must be specified");
    }
}
