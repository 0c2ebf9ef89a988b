package dev.mesh.distributor.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.mesh.distributor.grpc.AdsRegistry;
import dev.mesh.distributor.translate.MeshIndex;
import dev.mesh.distributor.translate.MeshService;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Envoy's {@code config_dump} of what a proxy is sent, and the endpoint listing of {@code /debug/endpointz}. */
public final class ConfigDump {

    /** Every proto type that can appear inside the dump, for printing {@code Any} fields as JSON. */
    public static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
            .add(List.of(Cluster.getDescriptor(), ClusterLoadAssignment.getDescriptor(), Listener.getDescriptor(),
                    RouteConfiguration.getDescriptor(), ClustersConfigDump.getDescriptor(),
                    ListenersConfigDump.getDescriptor(), RoutesConfigDump.getDescriptor(),
                    EndpointsConfigDump.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                            .getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor(),
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor(),
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor(),
                    io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
                    io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor()))
            .build();

    private ConfigDump() {
    }

    /** The config dump of the connected proxy {@code <pod>.<namespace>}, or empty when it is not connected here. */
    public static Optional<String> forProxy(AdsRegistry registry, MeshConfigWatcher watcher, String podDotNamespace) {
        return registry.proxy(podDotNamespace).map(node -> print(dump(watcher.snapshotFor(node))));
    }

    static io.envoyproxy.envoy.admin.v3.ConfigDump dump(ProxySnapshot snapshot) {
        ClustersConfigDump.Builder clusters = ClustersConfigDump.newBuilder();
        snapshot.resources(TypeUrl.CLUSTER).values().forEach(r -> clusters.addDynamicActiveClusters(
                ClustersConfigDump.DynamicCluster.newBuilder().setVersionInfo(r.version()).setCluster(r.body())));
        ListenersConfigDump.Builder listeners = ListenersConfigDump.newBuilder();
        snapshot.resources(TypeUrl.LISTENER).values().forEach(r -> listeners.addDynamicListeners(
                ListenersConfigDump.DynamicListener.newBuilder().setName(r.name()).setActiveState(
                        ListenersConfigDump.DynamicListenerState.newBuilder().setVersionInfo(r.version())
                                .setListener(r.body()))));
        RoutesConfigDump.Builder routes = RoutesConfigDump.newBuilder();
        snapshot.resources(TypeUrl.ROUTE).values().forEach(r -> routes.addDynamicRouteConfigs(
                RoutesConfigDump.DynamicRouteConfig.newBuilder().setVersionInfo(r.version()).setRouteConfig(r.body())));
        EndpointsConfigDump.Builder endpoints = EndpointsConfigDump.newBuilder();
        snapshot.resources(TypeUrl.ENDPOINT).values().forEach(r -> endpoints.addDynamicEndpointConfigs(
                EndpointsConfigDump.DynamicEndpointConfig.newBuilder().setVersionInfo(r.version())
                        .setEndpointConfig(r.body())));
        return io.envoyproxy.envoy.admin.v3.ConfigDump.newBuilder()
                .addConfigs(Any.pack(clusters.build()))
                .addConfigs(Any.pack(listeners.build()))
                .addConfigs(Any.pack(routes.build()))
                .addConfigs(Any.pack(endpoints.build()))
                .build();
    }

    static String print(io.envoyproxy.envoy.admin.v3.ConfigDump dump) {
        try {
            return JsonFormat.printer().usingTypeRegistry(TYPES).print(dump);
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every service's endpoints: address, port, readiness and labels. */
    public static List<Map<String, Object>> endpointz(MeshIndex index) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (MeshService service : index.services().values()) {
            List<Map<String, Object>> endpoints = new ArrayList<>();
            for (MeshService.MeshEndpoint e : service.endpoints()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("address", e.address());
                entry.put("ports", e.ports());
                entry.put("ready", e.ready());
                entry.put("pod", e.podName());
                entry.put("labels", e.labels());
                endpoints.add(entry);
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("service", service.host());
            s.put("endpoints", endpoints);
            out.add(s);
        }
        return out;
    }
}
