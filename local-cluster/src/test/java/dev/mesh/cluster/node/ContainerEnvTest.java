package dev.mesh.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerEnvTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private final JsonNode pod = json("{'metadata':{'name':'podinfo-1','namespace':'demo','uid':'u-1',"
            + "'labels':{'app':'podinfo'}},'spec':{'serviceAccountName':'podinfo'},"
            + "'status':{'podIP':'10.244.0.7','hostIP':'10.244.0.1'}}");

    ContainerEnvTest() throws Exception {
    }

    @Test
    void fieldRefs_comeFromThePod() {
        assertThat(ContainerEnv.field(pod, "metadata.name")).isEqualTo("podinfo-1");
        assertThat(ContainerEnv.field(pod, "metadata.namespace")).isEqualTo("demo");
        assertThat(ContainerEnv.field(pod, "status.podIP")).isEqualTo("10.244.0.7");
        assertThat(ContainerEnv.field(pod, "status.hostIP")).isEqualTo("10.244.0.1");
        assertThat(ContainerEnv.field(pod, "spec.serviceAccountName")).isEqualTo("podinfo");
        assertThat(ContainerEnv.field(pod, "metadata.labels['app']")).isEqualTo("podinfo");
        assertThatThrownBy(() -> ContainerEnv.field(pod, "status.phase"))
                .hasMessage("fieldRef status.phase is not supported by the local node");
    }

    @Test
    void envValues_andArgs_expandEarlierVariables() throws Exception {
        JsonNode container = json("{'env':[{'name':'POD_NAMESPACE','valueFrom':{'fieldRef':{'fieldPath':"
                + "'metadata.namespace'}}},{'name':'DOMAIN','value':'$(POD_NAMESPACE).svc.cluster.local'},"
                + "{'name':'LITERAL','value':'$$(POD_NAMESPACE) $(UNDEFINED)'}],"
                + "'args':['proxy','--domain','$(DOMAIN)']}");
        Map<String, String> env = ContainerEnv.resolve(pod, container, null);
        assertThat(env).containsExactly(Map.entry("POD_NAMESPACE", "demo"),
                Map.entry("DOMAIN", "demo.svc.cluster.local"),
                Map.entry("LITERAL", "$(POD_NAMESPACE) $(UNDEFINED)"));
        assertThat(ContainerEnv.expandAll(container.path("args"), env))
                .containsExactly("proxy", "--domain", "demo.svc.cluster.local");
    }
}
