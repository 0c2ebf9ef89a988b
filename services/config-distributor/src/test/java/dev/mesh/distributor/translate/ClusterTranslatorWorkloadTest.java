package dev.mesh.distributor.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The workload an endpoint's pod belongs to, as the EDS telemetry metadata names it. */
class ClusterTranslatorWorkloadTest {

    @Test
    void deploymentPod_isItsDeployment() {
        assertThat(ClusterTranslator.workloadName("podinfo-v1-d57b7c9fd-7swjb", Map.of("pod-template-hash", "d57b7c9fd")))
                .isEqualTo("podinfo-v1");
    }

    @Test
    void jobAndStatefulSetPods_areTheirController() {
        assertThat(ClusterTranslator.workloadName("migrate-x7k2p", Map.of("job-name", "migrate"))).isEqualTo("migrate");
        assertThat(ClusterTranslator.workloadName("redis-2", Map.of("statefulset.kubernetes.io/pod-name", "redis-2")))
                .isEqualTo("redis");
    }

    @Test
    void barePod_isItsOwnWorkload() {
        assertThat(ClusterTranslator.workloadName("sleep", Map.of())).isEqualTo("sleep");
        // A hash label that is not in the name does not cut the name.
        assertThat(ClusterTranslator.workloadName("sleep", Map.of("pod-template-hash", "abc"))).isEqualTo("sleep");
    }
}
