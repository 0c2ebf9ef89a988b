package dev.mesh.proxy.tls;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The config-distributor's golden outputs, exactly what a proxy receives, read from that module's test data (the
 * two modules meet only on the wire format, so reading its output checks that both ends agree).
 */
public final class DistributorGoldens {

    static final Path ROOT = Path.of("../config-distributor/src/test/resources/testdata/translate");

    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields()
            .usingTypeRegistry(dev.mesh.proxy.xds.EnvoyTypes.REGISTRY);

    private static final Map<String, Supplier<Message.Builder>> BUILDERS = Map.of("CDS", Cluster::newBuilder,
            "EDS", ClusterLoadAssignment::newBuilder, "LDS", Listener::newBuilder);

    private DistributorGoldens() {
    }

    /** The resources of one type ({@code CDS}, {@code EDS}, {@code LDS}) of {@code <case>/<proxy>.json}. */
    public static List<Any> load(String file, String type) throws Exception {
        JsonObject doc = new JsonObject(Files.readString(ROOT.resolve(file)));
        List<Any> out = new ArrayList<>();
        JsonArray items = doc.getJsonArray(type, new JsonArray());
        for (int i = 0; i < items.size(); i++) {
            Message.Builder builder = BUILDERS.get(type).get();
            PARSER.merge(items.getJsonObject(i).encode(), builder);
            out.add(Any.pack(builder.build()));
        }
        return out;
    }
}
