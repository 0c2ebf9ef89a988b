package dev.mesh.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonPatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void diffThenApply_givesTheTarget() throws Exception {
        JsonNode from = json("{'a':1,'b':{'c/d':[1,2],'e~f':'x'},'g':[1,2,3],'h':null}");
        JsonNode to = json("{'a':2,'b':{'c/d':[1,2,3,4],'new':true},'g':[3],'i':{'j':[]}}");
        assertThat(JsonPatch.apply(from, JsonPatch.diff(from, to))).isEqualTo(to);
    }

    @Test
    void keysWithSlashAndTilde_areEscaped() throws Exception {
        JsonNode patch = JsonPatch.diff(json("{'m':{}}"), json("{'m':{'sidecar.istio.io/status':'x','a~b':1}}"));
        assertThat(patch.toString()).contains("/m/sidecar.istio.io~1status").contains("/m/a~0b");
    }

    @Test
    void equalDocuments_giveAnEmptyPatch() throws Exception {
        assertThat(JsonPatch.diff(json("{'a':[1,{'b':2}]}"), json("{'a':[1,{'b':2}]}"))).isEmpty();
    }

    @Test
    void appendedArrayElements_becomeAddOperations() throws Exception {
        JsonNode patch = JsonPatch.diff(json("{'c':[{'n':'app'}]}"), json("{'c':[{'n':'app'},{'n':'proxy'}]}"));
        assertThat(patch).isEqualTo(json("[{'op':'add','path':'/c/1','value':{'n':'proxy'}}]"));
    }

    @Test
    void randomDocuments_roundTrip() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            JsonNode from = Fuzz.randomValue(random, 4);
            JsonNode to = Fuzz.randomValue(random, 4);
            assertThat(JsonPatch.apply(from, JsonPatch.diff(from, to))).isEqualTo(to);
        }
    }

    @Test
    void operationsThatDoNotFit_areRefusedWithThePath() throws Exception {
        assertThatThrownBy(() -> JsonPatch.apply(json("{'a':1}"), json("[{'op':'remove','path':'/b'}]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/b");
        assertThatThrownBy(() -> JsonPatch.apply(json("{'a':[]}"), json("[{'op':'add','path':'/a/5','value':1}]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/a/5");
    }

    /** Random JSON values for round-trip tests. */
    static final class Fuzz {
        static JsonNode randomValue(Random random, int depth) {
            int kind = depth == 0 ? random.nextInt(3) : random.nextInt(5);
            return switch (kind) {
                case 0 -> JSON.getNodeFactory().numberNode(random.nextInt(5));
                case 1 -> JSON.getNodeFactory().textNode(String.valueOf((char) ('a' + random.nextInt(3))));
                case 2 -> JSON.getNodeFactory().nullNode();
                case 3 -> {
                    var a = JSON.createArrayNode();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        a.add(randomValue(random, depth - 1));
                    }
                    yield a;
                }
                default -> {
                    var o = JSON.createObjectNode();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        o.set(List.of("a", "b/c", "d~e", "f").get(random.nextInt(4)), randomValue(random, depth - 1));
                    }
                    yield o;
                }
            };
        }
    }
}
