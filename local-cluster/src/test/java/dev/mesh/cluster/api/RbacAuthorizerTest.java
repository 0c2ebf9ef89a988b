package dev.mesh.cluster.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kubernetes' RBAC semantics over hand-written policies (the store replaced by a map of collections). */
class RbacAuthorizerTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
    private static final UserInfo INSTALLER = new UserInfo("system:serviceaccount:tools:installer",
            List.of("system:serviceaccounts", "system:serviceaccounts:tools", "system:authenticated"));
    private static final UserInfo ALICE = new UserInfo("alice", List.of("devs", "system:authenticated"));

    private final Map<String, List<JsonNode>> stored = new HashMap<>();
    private final RbacAuthorizer rbac = new RbacAuthorizer(path -> stored.getOrDefault(path, List.of()));

    private void store(String collection, String yaml) {
        try {
            stored.computeIfAbsent(RBAC + collection, k -> new ArrayList<>()).add(YAML.readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void clusterRole(String name, String rules) {
        store("/clusterroles", "metadata: {name: " + name + "}\nrules: " + rules);
    }

    private static RbacAuthorizer.Request create(String namespace, String group, String resource) {
        return RbacAuthorizer.Request.resource("create", namespace, group, resource, "", "");
    }

    @Test
    void clusterRoleBinding_toAServiceAccount_allowsEverywhere_andSaysWhich() {
        clusterRole("deployer", "[{apiGroups: [apps], resources: [deployments], verbs: [create, get]}]");
        store("/clusterrolebindings", """
                metadata: {name: deployers}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
                subjects: [{kind: ServiceAccount, name: installer, namespace: tools}]
                """);

        RbacAuthorizer.Decision d = rbac.authorize(INSTALLER, create("istio-system", "apps", "deployments"));

        assertThat(d.allowed()).isTrue();
        assertThat(d.reason()).isEqualTo("RBAC: allowed by ClusterRoleBinding \"deployers\" of ClusterRole \"deployer\""
                + " to ServiceAccount \"installer/tools\"");
        assertThat(rbac.authorize(INSTALLER, create("", "apps", "deployments")).allowed()).isTrue();
        assertThat(rbac.authorize(INSTALLER, create("x", "", "deployments")).allowed()).as("core group").isFalse();
        assertThat(rbac.authorize(INSTALLER, create("x", "apps", "daemonsets")).allowed()).isFalse();
        RbacAuthorizer.Decision delete = rbac.authorize(INSTALLER,
                RbacAuthorizer.Request.resource("delete", "x", "apps", "deployments", "", ""));
        assertThat(delete).isEqualTo(new RbacAuthorizer.Decision(false, ""));
        assertThat(rbac.authorize(ALICE, create("x", "apps", "deployments")).allowed()).as("another user").isFalse();
    }

    @Test
    void roleBinding_allowsOnlyInItsNamespace() {
        store("/namespaces/team-a/roles", """
                metadata: {name: cm-writer, namespace: team-a}
                rules: [{apiGroups: [""], resources: [configmaps], verbs: [create]}]
                """);
        store("/namespaces/team-a/rolebindings", """
                metadata: {name: alice-cm, namespace: team-a}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-writer}
                subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]
                """);
        clusterRole("secret-reader", "[{apiGroups: [\"\"], resources: [secrets], verbs: [get]}]");
        store("/namespaces/team-a/rolebindings", """
                metadata: {name: installer-secrets, namespace: team-a}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
                subjects: [{kind: ServiceAccount, name: installer}]
                """);

        RbacAuthorizer.Decision inA = rbac.authorize(ALICE, create("team-a", "", "configmaps"));

        assertThat(inA.allowed()).isTrue();
        assertThat(inA.reason()).isEqualTo("RBAC: allowed by RoleBinding \"alice-cm/team-a\" of Role \"cm-writer\" to"
                + " User \"alice\"");
        assertThat(rbac.authorize(ALICE, create("team-b", "", "configmaps")).allowed()).isFalse();
        assertThat(rbac.authorize(ALICE, create("", "", "configmaps")).allowed()).as("cluster-wide").isFalse();
        // A ServiceAccount subject without a namespace is one of the binding's namespace: tools/installer is not it.
        RbacAuthorizer.Request getSecret = RbacAuthorizer.Request.resource("get", "team-a", "", "secrets", "", "x");
        assertThat(rbac.authorize(INSTALLER, getSecret).allowed()).isFalse();
        UserInfo localInstaller = new UserInfo("system:serviceaccount:team-a:installer", List.of());
        RbacAuthorizer.Decision local = rbac.authorize(localInstaller, getSecret);
        assertThat(local.allowed()).isTrue();
        assertThat(local.reason()).endsWith("of ClusterRole \"secret-reader\" to ServiceAccount \"installer/team-a\"");
    }

    @Test
    void groupSubject_resourceNames_wildcards_andSubresources() {
        clusterRole("pod-logs", "[{apiGroups: [\"\"], resources: [pods/log], verbs: [get]}]");
        clusterRole("one-config", "[{apiGroups: [\"\"], resources: [configmaps], resourceNames: [mesh], verbs: [get,"
                + " update]}]");
        clusterRole("status-writer", "[{apiGroups: [\"*\"], resources: [\"*/status\"], verbs: [\"*\"]}]");
        clusterRole("everything-in-apps", "[{apiGroups: [apps], resources: [\"*\"], verbs: [\"*\"]}]");
        for (String role : List.of("pod-logs", "one-config", "status-writer", "everything-in-apps")) {
            store("/clusterrolebindings", """
                    metadata: {name: devs-%1$s}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %1$s}
                    subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: devs}]
                    """.formatted(role));
        }

        RbacAuthorizer.Decision logs = rbac.authorize(ALICE, RbacAuthorizer.Request.resource("get", "x", "", "pods", "log", "p"));
        assertThat(logs.allowed()).isTrue();
        assertThat(logs.reason()).isEqualTo("RBAC: allowed by ClusterRoleBinding \"devs-pod-logs\" of ClusterRole"
                + " \"pod-logs\" to Group \"devs\"");
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("get", "x", "", "pods", "", "p")).allowed())
                .as("pods/log does not give pods").isFalse();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("get", "x", "", "pods", "exec", "p")).allowed())
                .isFalse();

        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("update", "x", "", "configmaps", "", "mesh"))
                .allowed()).isTrue();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("update", "x", "", "configmaps", "", "other"))
                .allowed()).isFalse();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("get", "x", "", "configmaps", "", ""))
                .allowed()).as("a rule with resourceNames never allows a request without a name").isFalse();

        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("patch", "x", "networking.istio.io",
                "virtualservices", "status", "v")).allowed()).as("*/status").isTrue();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("patch", "x", "networking.istio.io",
                "virtualservices", "", "v")).allowed()).isFalse();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("delete", "", "apps", "statefulsets", "scale",
                "")).allowed()).as("resources * covers subresources").isTrue();
        assertThat(rbac.authorize(ALICE, create("x", "batch", "jobs")).allowed()).isFalse();
    }

    @Test
    void nonResourceUrls_matchExactlyOrByTrailingStar() {
        clusterRole("probes", "[{nonResourceURLs: [/healthz, \"/logs/*\"], verbs: [get]}]");
        store("/clusterrolebindings", """
                metadata: {name: probes}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: probes}
                subjects: [{kind: Group, name: system:authenticated}]
                """);

        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.nonResource("get", "/healthz")).allowed()).isTrue();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.nonResource("get", "/logs/kube/x.log")).allowed()).isTrue();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.nonResource("get", "/healthz/etcd")).allowed()).isFalse();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.nonResource("post", "/healthz")).allowed()).isFalse();
        assertThat(rbac.authorize(ALICE, RbacAuthorizer.Request.resource("get", "", "", "healthz", "", "")).allowed())
                .as("nonResourceURLs never allow a resource request").isFalse();
    }

    @Test
    void systemMasters_isAllowedEverything_withoutAnyBinding() {
        RbacAuthorizer.Decision d = rbac.authorize(UserInfo.admin(),
                RbacAuthorizer.Request.resource("escalate", "", "rbac.authorization.k8s.io", "clusterroles", "", ""));

        assertThat(d).isEqualTo(new RbacAuthorizer.Decision(true, ""));
        assertThat(rbac.authorize(new UserInfo("bob", List.of("system:masters")),
                RbacAuthorizer.Request.nonResource("delete", "/anything")).allowed()).isTrue();
    }

    @Test
    void aggregatedClusterRole_hasTheRulesOfTheRolesItSelects() {
        store("/clusterroles", """
                metadata: {name: mesh-admin}
                aggregationRule:
                  clusterRoleSelectors: [{matchLabels: {mesh.dev/aggregate-to-admin: "true"}}]
                rules: []
                """);
        store("/clusterroles", """
                metadata: {name: mesh-vs-edit, labels: {mesh.dev/aggregate-to-admin: "true"}}
                rules: [{apiGroups: [networking.istio.io], resources: [virtualservices], verbs: [create]}]
                """);
        clusterRole("unlabelled", "[{apiGroups: [\"\"], resources: [secrets], verbs: [create]}]");
        store("/clusterrolebindings", """
                metadata: {name: alice-mesh-admin}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mesh-admin}
                subjects: [{kind: User, name: alice}]
                """);

        RbacAuthorizer.Decision vs = rbac.authorize(ALICE, create("x", "networking.istio.io", "virtualservices"));

        assertThat(vs.allowed()).isTrue();
        assertThat(vs.reason()).contains("of ClusterRole \"mesh-admin\" to User \"alice\"");
        assertThat(rbac.authorize(ALICE, create("x", "", "secrets")).allowed()).isFalse();
    }

    @Test
    void bindingToAMissingRole_deniesAndSaysWhichRoleIsMissing() {
        store("/clusterrolebindings", """
                metadata: {name: dangling}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: gone}
                subjects: [{kind: User, name: alice}]
                """);

        RbacAuthorizer.Decision d = rbac.authorize(ALICE, create("x", "", "pods"));

        assertThat(d).isEqualTo(new RbacAuthorizer.Decision(false,
                "RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found"));
    }
}
