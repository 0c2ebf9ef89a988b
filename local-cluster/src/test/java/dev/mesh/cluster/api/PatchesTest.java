package dev.mesh.cluster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PatchesTest {

    private static JsonNode json(String s) throws Exception {
        return Store.JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void mergePatch_replacesArraysAndRemovesNulls() throws Exception {
        JsonNode target = json("{'spec':{'hosts':['a','b'],'gateways':['g'],'keep':1}}");
        JsonNode patch = json("{'spec':{'hosts':['c'],'gateways':null}}");

        JsonNode out = Patches.apply(Patches.MERGE_PATCH, target, patch, true);

        assertThat(out).isEqualTo(json("{'spec':{'hosts':['c'],'keep':1}}"));
    }

    @Test
    void strategicMerge_mergesContainersByNameAndEnvByName() throws Exception {
        JsonNode target = json("{'spec':{'containers':[{'name':'app','image':'v1','env':[{'name':'A','value':'1'}]},"
                + "{'name':'sidecar','image':'proxy'}]}}");
        JsonNode patch = json("{'spec':{'$setElementOrder/containers':[{'name':'app'},{'name':'sidecar'}],"
                + "'containers':[{'name':'app','image':'v2','env':[{'name':'B','value':'2'}]}]}}");

        JsonNode out = Patches.apply(Patches.STRATEGIC_MERGE_PATCH, target, patch, false);

        assertThat(out).isEqualTo(json("{'spec':{'containers':[{'name':'app','image':'v2','env':[{'name':'A','value':'1'},"
                + "{'name':'B','value':'2'}]},{'name':'sidecar','image':'proxy'}]}}"));
    }

    @Test
    void strategicMerge_deletesByKeyAndKeysContainerPortsByContainerPort() throws Exception {
        JsonNode target = json("{'containers':[{'name':'a','ports':[{'containerPort':80},{'containerPort':81}]},{'name':'b'}]}");
        JsonNode patch = json("{'containers':[{'name':'b','$patch':'delete'},"
                + "{'name':'a','ports':[{'containerPort':81,'$patch':'delete'},{'containerPort':82}]}]}");

        JsonNode out = Patches.apply(Patches.STRATEGIC_MERGE_PATCH, target, patch, false);

        assertThat(out).isEqualTo(json("{'containers':[{'name':'a','ports':[{'containerPort':80},{'containerPort':82}]}]}"));
    }

    @Test
    void strategicMerge_replacesUnkeyedListsAndUnionsFinalizers() throws Exception {
        JsonNode target = json("{'metadata':{'finalizers':['x']},'spec':{'args':['--a','--b']}}");
        JsonNode patch = json("{'metadata':{'finalizers':['y']},'spec':{'args':['--c']},"
                + "'$deleteFromPrimitiveList/keep':['z']}");

        JsonNode out = Patches.apply(Patches.STRATEGIC_MERGE_PATCH, target, patch, false);

        assertThat(out).isEqualTo(json("{'metadata':{'finalizers':['x','y']},'spec':{'args':['--c']}}"));
    }

    @Test
    void strategicMerge_onCustomResource_is415AsInTheApiServer() throws Exception {
        assertThatThrownBy(() -> Patches.apply(Patches.STRATEGIC_MERGE_PATCH, json("{}"), json("{}"), true))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
    }

    @Test
    void jsonPatch_appliesOperations() throws Exception {
        JsonNode out = Patches.apply(Patches.JSON_PATCH, json("{'spec':{'hosts':['a']}}"),
                json("[{'op':'add','path':'/spec/hosts/-','value':'b'}]"), true);

        assertThat(out).isEqualTo(json("{'spec':{'hosts':['a','b']}}"));
    }
}
