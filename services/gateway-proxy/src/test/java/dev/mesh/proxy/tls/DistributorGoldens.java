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
            .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(List.of(
                    io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor(),
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor(),
                    io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector.getDescriptor(),
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())).build());

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
