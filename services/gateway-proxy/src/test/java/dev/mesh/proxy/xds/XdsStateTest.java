package dev.mesh.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.mesh.proxy.testing.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class XdsStateTest {

    static final String A = "outbound|80|a|svc.ns.svc.cluster.local";
    static final String B = "outbound|80|b|svc.ns.svc.cluster.local";

    static List<Any> clusters(String... names) {
        return java.util.Arrays.stream(names).map(n -> Any.pack(Resources.edsCluster(n, Cluster.LbPolicy.ROUND_ROBIN))).toList();
    }

    @Test
    void endpointsLeftOutOfAResponse_areKept_untilTheirClusterGoes() {
        XdsState state = new XdsState();
        state.accept(XdsState.CDS, "c1", clusters(A, B));
        state.accept(XdsState.EDS, "e1", List.of(Any.pack(Resources.endpoints(A, "a@1001")), Any.pack(Resources.endpoints(B, "b@1002"))));
        state.accept(XdsState.EDS, "e2", List.of(Any.pack(Resources.endpoints(A, "a@1003"))));
        assertThat(state.accepted(XdsState.EDS).resources()).hasSize(2);

        state.accept(XdsState.CDS, "c2", clusters(A));
        assertThat(state.edsNames()).containsExactly(A);
        assertThat(state.accepted(XdsState.EDS).resources()).hasSize(1);
        assertThat(state.accepted(XdsState.EDS).version()).isEqualTo("e2");
    }

    @Test
    void clustersLeftOutOfAResponse_areGone() {
        XdsState state = new XdsState();
        state.accept(XdsState.CDS, "c1", clusters(A, B));
        state.accept(XdsState.CDS, "c2", clusters(B));
        assertThat(state.edsNames()).containsExactly(B);
    }

    @Test
    void rejectedResponse_changesNothing() {
        XdsState state = new XdsState();
        state.accept(XdsState.CDS, "c1", clusters(A));
        Cluster bad = Resources.edsCluster(B, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
                .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).setLbPolicyValue(99).build();
        List<String> problems = state.accept(XdsState.CDS, "c2", List.of(Any.pack(bad)));
        assertThat(problems).singleElement().asString().startsWith("Cluster " + B + ": lb_policy:");
        assertThat(state.accepted(XdsState.CDS).version()).isEqualTo("c1");
        assertThat(state.edsNames()).containsExactly(A);
    }
}
