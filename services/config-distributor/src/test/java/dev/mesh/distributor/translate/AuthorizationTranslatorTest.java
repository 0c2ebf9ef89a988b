package dev.mesh.distributor.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.Manifest;
import dev.mesh.api.ManifestReader;
import dev.mesh.distributor.model.MeshSnapshot;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the golden files do not show: attributes this mesh cannot evaluate never make a DENY
 * policy deny less, and never make an ALLOW policy allow more.
 */
class AuthorizationTranslatorTest {

    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: shop}
            spec:
              action: %s
              rules:
              - to: [{operation: {paths: [/admin]}}]
                when:
                - key: experimental.envoy.filters.network.mysql_proxy[db.table]
                  values: [secrets]
            """;

    @Test
    void denyRule_withAnAttributeNotEvaluated_stillDeniesByItsOtherFields() throws Exception {
        Principal principal = onlyPolicyPrincipal(rules("DENY"), RBAC.Action.DENY);
        assertThat(principal.getAny()).as("the unevaluated condition is dropped: the rule matches more").isTrue();
    }

    @Test
    void allowRule_withAnAttributeNotEvaluated_neverMatches() throws Exception {
        Principal principal = onlyPolicyPrincipal(rules("ALLOW"), RBAC.Action.ALLOW);
        assertThat(principal.getAndIds().getIdsList())
                .containsExactly(Principal.newBuilder().setNotId(Principal.newBuilder().setAny(true)).build());
    }

    private static Principal onlyPolicyPrincipal(RBAC rules, RBAC.Action action) {
        assertThat(rules.getAction()).isEqualTo(action);
        assertThat(rules.getPoliciesMap()).containsOnlyKeys("ns[shop]-policy[p]-rule[0]");
        return rules.getPoliciesMap().get("ns[shop]-policy[p]-rule[0]").getPrincipals(0);
    }

    private static RBAC rules(String action) throws Exception {
        List<IstioResource<?>> policies = new ArrayList<>();
        for (Manifest m : ManifestReader.read("test", POLICY.formatted(action)).resources()) {
            IstioResource<?> r = (IstioResource<?>) m;
            assertThat(r.errors()).isEmpty();
            policies.add(r);
        }
        MeshSnapshot snapshot = new MeshSnapshot(1, Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of(Kind.AUTHORIZATION_POLICY, policies));
        MeshIndex index = new MeshIndex(snapshot, "cluster.local", "istio-system");
        List<HttpFilter> filters = new AuthorizationTranslator(new MeshTls("cluster.local", true))
                .httpFilters(index, "shop", Map.of("app", "db"));
        assertThat(filters).hasSize(1);
        return filters.get(0).getTypedConfig()
                .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class).getRules();
    }
}
