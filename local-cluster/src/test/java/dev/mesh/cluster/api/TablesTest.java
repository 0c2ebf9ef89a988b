package dev.mesh.cluster.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TablesTest {

    private static JsonNode json(String s) throws Exception {
        return Store.JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void podColumns_followContainerStatuses() throws Exception {
        JsonNode injected = json("{'spec':{'containers':[{'name':'app'},{'name':'istio-proxy'}]},'status':{'phase':'Running',"
                + "'conditions':[{'type':'Ready','status':'True'}],'containerStatuses':["
                + "{'name':'app','ready':true,'state':{'running':{}}},{'name':'istio-proxy','ready':true,'state':{'running':{}}}]}}");
        JsonNode crashing = json("{'spec':{'containers':[{'name':'app'}]},'status':{'phase':'Running','containerStatuses':["
                + "{'name':'app','ready':false,'restartCount':3,'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}");
        JsonNode initializing = json("{'spec':{'initContainers':[{'name':'istio-init'}],'containers':[{'name':'app'}]},"
                + "'status':{'phase':'Pending','initContainerStatuses':[{'name':'istio-init','state':{'running':{}}}]}}");

        assertThat(Tables.podReady(injected)).isEqualTo("2/2");
        assertThat(Tables.podStatus(injected)).isEqualTo("Running");
        assertThat(Tables.podReady(crashing)).isEqualTo("0/1");
        assertThat(Tables.podStatus(crashing)).isEqualTo("CrashLoopBackOff");
        assertThat(Tables.podStatus(initializing)).isEqualTo("Init:0/1");
        assertThat(Tables.podStatus(json("{'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Pending'}}"))).isEqualTo("Pending");
    }

    @Test
    void age_isTheApiServersHumanDuration() {
        assertThat(Tables.humanDuration(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Tables.humanDuration(Duration.ofSeconds(150))).isEqualTo("2m30s");
        assertThat(Tables.humanDuration(Duration.ofMinutes(42))).isEqualTo("42m");
        assertThat(Tables.humanDuration(Duration.ofMinutes(5 * 60 + 7))).isEqualTo("5h7m");
        assertThat(Tables.humanDuration(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Tables.humanDuration(Duration.ofHours(24 * 3 + 4))).isEqualTo("3d4h");
        assertThat(Tables.humanDuration(Duration.ofDays(40))).isEqualTo("40d");
    }
}
