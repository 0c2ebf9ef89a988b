package dev.mesh.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void absentOrEmptySelector_selectsEverything() throws Exception {
        assertThat(LabelSelectors.matches(null, Map.of())).isTrue();
        assertThat(LabelSelectors.matches(json("{}"), Map.of("a", "b"))).isTrue();
    }

    @Test
    void matchLabels_needsEveryPair() throws Exception {
        JsonNode selector = json("{\"matchLabels\":{\"app\":\"podinfo\",\"version\":\"v1\"}}");
        assertThat(LabelSelectors.matches(selector, Map.of("app", "podinfo", "version", "v1", "x", "y"))).isTrue();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "podinfo"))).isFalse();
    }

    @Test
    void expressions_followTheApiServer() throws Exception {
        JsonNode in = json("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]}]}");
        assertThat(LabelSelectors.matches(in, Map.of("k", "b"))).isTrue();
        assertThat(LabelSelectors.matches(in, Map.of())).isFalse();
        JsonNode notIn = json("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"NotIn\",\"values\":[\"a\"]}]}");
        assertThat(LabelSelectors.matches(notIn, Map.of())).isTrue();
        assertThat(LabelSelectors.matches(notIn, Map.of("k", "a"))).isFalse();
        JsonNode exists = json("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}");
        assertThat(LabelSelectors.matches(exists, Map.of("k", ""))).isTrue();
        JsonNode absent = json("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"DoesNotExist\"}]}");
        assertThat(LabelSelectors.matches(absent, Map.of("k", ""))).isFalse();
    }

    @Test
    void badOperator_isNamed() throws Exception {
        assertThatThrownBy(() -> LabelSelectors.matches(json(
                "{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Equals\",\"values\":[\"a\"]}]}"), Map.of()))
                .hasMessage("label selector expression on \"k\": operator \"Equals\" is not In, NotIn, Exists or"
                        + " DoesNotExist");
    }
}
