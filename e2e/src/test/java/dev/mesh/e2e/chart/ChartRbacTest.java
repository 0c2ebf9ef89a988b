package dev.mesh.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mesh.e2e.chart.MeshChart.Rendered;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What each service may do in the cluster, as the chart renders it (demo profile, so every component is there),
 * compared with the golden files under testdata/chart/. Regenerate them with {@code -Dupdate=true}; a stale golden
 * file fails.
 */
class ChartRbacTest {

    /** Service (Maven module) -> the chart components that run it. */
    private static final Map<String, List<String>> COMPONENTS = Map.of(
            "config-distributor", List.of("config-distributor"),
            "citadel-ca", List.of("citadel-ca"),
            "injector-webhook", List.of("injector-webhook"),
            "telemetry", List.of("telemetry"),
            "gateway-proxy", List.of("istio-ingressgateway", "istio-egressgateway"));
    private static final List<String> RBAC_KINDS = List.of("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    @ParameterizedTest
    @ValueSource(strings = {"config-distributor", "citadel-ca", "injector-webhook", "telemetry", "gateway-proxy"})
    void rbac_matchesItsGoldenFile(String service) throws IOException {
        String actual = describe(MeshChart.render("profile", "demo"), COMPONENTS.get(service));
        Path golden = MeshChart.root().resolve("e2e/src/test/resources/testdata/chart/rbac-" + service + ".yaml");

        if ("true".equals(System.getProperty("update"))) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual);
        }
        assertThat(golden).as("golden file (create it with -Dupdate=true)").isRegularFile();
        assertThat(actual).as("RBAC of %s differs from %s (regenerate with -Dupdate=true if intended)", service,
                golden.getFileName()).isEqualTo(Files.readString(golden));
    }

    @Test
    void noRule_usesAWildcardOrEscalatingVerb() {
        Rendered rendered = MeshChart.render("profile", "demo");
        List<PolicyRule> rules = new ArrayList<>();
        rendered.all(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
        rendered.all(Role.class).forEach(r -> rules.addAll(r.getRules()));

        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate", "delete",
                    "deletecollection");
            assertThat(rule.getResources()).doesNotContain("*");
            assertThat(rule.getApiGroups()).doesNotContain("*");
        });
    }

    @Test
    void everyBinding_grantsOnlyItsOwnServiceAccount() {
        Rendered rendered = MeshChart.render("profile", "demo");

        for (ClusterRoleBinding b : rendered.all(ClusterRoleBinding.class)) {
            assertThat(b.getSubjects()).singleElement().satisfies(s -> ownAccount(b, s));
            assertThat(b.getRoleRef().getName()).isEqualTo(b.getMetadata().getName());
        }
        for (RoleBinding b : rendered.all(RoleBinding.class)) {
            assertThat(b.getSubjects()).singleElement().satisfies(s -> ownAccount(b, s));
            assertThat(b.getRoleRef().getName()).isEqualTo(b.getMetadata().getName());
        }
    }

    @Test
    void servicesThatDoNotCallTheApi_getNoTokenAndNoRbac() {
        Rendered rendered = MeshChart.render("profile", "demo");

        for (String component : List.of("telemetry", "istio-ingressgateway", "istio-egressgateway")) {
            assertThat(rendered.get(ServiceAccount.class, component).getAutomountServiceAccountToken()).isFalse();
            assertThat(rbacOf(rendered, List.of(component))).isEmpty();
        }
    }

    private static void ownAccount(HasMetadata binding, Subject subject) {
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getNamespace()).isEqualTo(MeshChart.NAMESPACE);
        assertThat(subject.getName()).isEqualTo(binding.getMetadata().getLabels().get("app"));
    }

    private static List<HasMetadata> rbacOf(Rendered rendered, List<String> components) {
        return rendered.objects().stream()
                .filter(o -> RBAC_KINDS.contains(o.getKind()))
                .filter(o -> components.contains(o.getMetadata().getLabels().get("app")))
                .sorted(Comparator.comparing((HasMetadata o) -> RBAC_KINDS.indexOf(o.getKind()))
                        .thenComparing(o -> o.getMetadata().getName()))
                .toList();
    }

    /** The permissions of the given components, free of labels and other noise, as YAML. */
    private static String describe(Rendered rendered, List<String> components) throws IOException {
        ObjectNode root = YAML.createObjectNode();
        ArrayNode accounts = root.putArray("serviceAccounts");
        for (String component : components) {
            ServiceAccount sa = rendered.get(ServiceAccount.class, component);
            accounts.addObject().put("name", sa.getMetadata().getName())
                    .put("namespace", sa.getMetadata().getNamespace())
                    .put("automountServiceAccountToken", sa.getAutomountServiceAccountToken());
        }
        ArrayNode objects = root.putArray("rbac");
        for (HasMetadata o : rbacOf(rendered, components)) {
            ObjectNode node = objects.addObject().put("kind", o.getKind()).put("name", o.getMetadata().getName());
            if (o.getMetadata().getNamespace() != null) {
                node.put("namespace", o.getMetadata().getNamespace());
            }
            if (o instanceof ClusterRole r) {
                node.set("rules", YAML.valueToTree(r.getRules()));
            } else if (o instanceof Role r) {
                node.set("rules", YAML.valueToTree(r.getRules()));
            } else if (o instanceof ClusterRoleBinding b) {
                node.set("roleRef", YAML.valueToTree(b.getRoleRef()));
                node.set("subjects", YAML.valueToTree(b.getSubjects()));
            } else if (o instanceof RoleBinding b) {
                node.set("roleRef", YAML.valueToTree(b.getRoleRef()));
                node.set("subjects", YAML.valueToTree(b.getSubjects()));
            }
        }
        return "# What " + String.join(" and ", components) + " may do in the cluster (generated by ChartRbacTest)\n"
                + YAML.writeValueAsString(root);
    }
}
