package dev.mesh.api.xds;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusterNameTest {

    @Test
    void outboundSubsetName_roundTrips() {
        ClusterName name = ClusterName.outbound(80, "v1", "podinfo.demo.svc.cluster.local");
        assertThat(name.toString()).isEqualTo("outbound|80|v1|podinfo.demo.svc.cluster.local");
        assertThat(ClusterName.parse(name.toString())).isEqualTo(name);
    }

    @Test
    void inboundName_hasNoSubsetNorHost() {
        assertThat(ClusterName.inbound(9898).toString()).isEqualTo("inbound|9898||");
        assertThat(ClusterName.parse("inbound|9898||")).isEqualTo(ClusterName.inbound(9898));
    }

    @Test
    void otherNames_areNotClusterNames() {
        assertThat(ClusterName.parse("PassthroughCluster")).isNull();
        assertThat(ClusterName.parse("outbound|http|v1|x")).isNull();
        assertThat(ClusterName.parse("sideways|80||x")).isNull();
    }
}
