package dev.mesh.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeIdentityTest {

    @Test
    void nodeIdAndMetadata_followIstio() {
        NodeIdentity id = new NodeIdentity("router", "istio-ingressgateway-584467857d-h8gtc", "istio-system", "10.244.0.7",
                NodeIdentity.parseLabels("app=istio-ingressgateway, istio=ingressgateway"), "sa", "istio-ingressgateway",
                "Kubernetes");
        var node = id.toNode();
        assertThat(node.getId()).isEqualTo(
                "router~10.244.0.7~istio-ingressgateway-584467857d-h8gtc.istio-system~istio-system.svc.cluster.local");
        var meta = node.getMetadata().getFieldsMap();
        assertThat(meta.get("NAMESPACE").getStringValue()).isEqualTo("istio-system");
        assertThat(meta.get("LABELS").getStructValue().getFieldsMap().get("istio").getStringValue()).isEqualTo("ingressgateway");
        assertThat(meta.get("WORKLOAD_NAME").getStringValue()).isEqualTo("istio-ingressgateway");
        assertThat(meta.get("CLUSTER_ID").getStringValue()).isEqualTo("Kubernetes");
    }

    @Test
    void workloadName_isTheDeploymentBehindThePod() {
        assertThat(NodeIdentity.workloadFromPodName("podinfo-v1-d57b7c9fd-7swjb")).isEqualTo("podinfo-v1");
        assertThat(NodeIdentity.workloadFromPodName("standalone")).isEqualTo("standalone");
        assertThat(NodeIdentity.parseLabels("a=1,,b,c = 3")).isEqualTo(Map.of("a", "1", "c", "3"));
    }
}
