package dev.mesh.distributor.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import org.junit.jupiter.api.Test;

class ResourceInternerTest {

    private static Cluster cluster(String name, long timeoutSeconds) {
        return Cluster.newBuilder().setName(name)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(timeoutSeconds)).build();
    }

    @Test
    void sameContent_isTheSameSerialisedResource_differentContentIsNot() {
        ResourceInterner interner = new ResourceInterner();
        XdsResource a = interner.intern("c", cluster("c", 1));
        assertThat(interner.intern("c", cluster("c", 1))).isSameAs(a);
        XdsResource b = interner.intern("c", cluster("c", 2));
        assertThat(b).isNotSameAs(a);
        assertThat(b.version()).isNotEqualTo(a.version());
    }

    @Test
    void resourcesUsedInTheLastGeneration_survive_othersAreForgotten() {
        ResourceInterner interner = new ResourceInterner();
        XdsResource kept = interner.intern("kept", cluster("kept", 1));
        interner.intern("dropped", cluster("dropped", 1));
        interner.nextGeneration();
        assertThat(interner.intern("kept", cluster("kept", 1))).isSameAs(kept);
        interner.nextGeneration();
        interner.nextGeneration();
        assertThat(interner.size()).isZero();
    }
}
