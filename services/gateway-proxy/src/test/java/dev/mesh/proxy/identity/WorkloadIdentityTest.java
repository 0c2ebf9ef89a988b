package dev.mesh.proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkloadIdentityTest {

    @Test
    void spiffeId_isIstiosForm() {
        WorkloadIdentity id = new WorkloadIdentity("cluster.local", "demo", "podinfo");
        assertThat(id.spiffeId()).isEqualTo("spiffe://cluster.local/ns/demo/sa/podinfo");
        assertThat(id.principal()).isEqualTo("cluster.local/ns/demo/sa/podinfo");
        assertThat(WorkloadIdentity.parse(id.spiffeId())).isEqualTo(id);
    }

    @Test
    void badParts_areRefusedNamingThePart() {
        assertThatThrownBy(() -> new WorkloadIdentity("cluster.local", "", "sa"))
                .hasMessageContaining("namespace \"\"");
        assertThatThrownBy(() -> new WorkloadIdentity("cluster.local", "demo", "a/b"))
                .hasMessageContaining("service account \"a/b\"");
        assertThatThrownBy(() -> WorkloadIdentity.parse("spiffe://cluster.local/sa/x"))
                .hasMessageContaining("\"spiffe://cluster.local/sa/x\" is not a workload SPIFFE id");
    }
}
