package dev.mesh.proxy.testing;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reads a config-distributor golden file ({@code {"CDS": [...], "EDS": [...], "LDS": [...], "RDS": [...]}}) into Anys. */
public final class Golden {

    private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(
            dev.mesh.proxy.xds.EnvoyTypes.REGISTRY);

    private static final Map<String, Supplier<Message.Builder>> BUILDERS = Map.of(
            "CDS", Cluster::newBuilder, "EDS", ClusterLoadAssignment::newBuilder,
            "LDS", Listener::newBuilder, "RDS", RouteConfiguration::newBuilder);

    private Golden() {}

    /** The resources of one type ({@code CDS}, {@code EDS}, {@code LDS} or {@code RDS}) of a golden file. */
    public static List<Any> load(String resource, String type) throws IOException {
        JsonObject doc;
        try (InputStream in = Golden.class.getResourceAsStream("/testdata/xds/" + resource)) {
            doc = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        List<Any> out = new ArrayList<>();
        JsonArray items = doc.getJsonArray(type, new JsonArray());
        for (int i = 0; i < items.size(); i++) {
            Message.Builder b = BUILDERS.get(type).get();
            PARSER.merge(items.getJsonObject(i).encode(), b);
            out.add(Any.pack(b.build()));
        }
        return out;
    }
}
