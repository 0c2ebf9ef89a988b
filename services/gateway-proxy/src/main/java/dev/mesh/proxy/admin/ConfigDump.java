package dev.mesh.proxy.admin;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.mesh.proxy.xds.AdsClient;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;

/** The applied config as Envoy's {@code /config_dump} shows it: an {@code envoy.admin.v3.ConfigDump} in JSON. */
public final class ConfigDump {

    private static final JsonFormat.TypeRegistry TYPES = dev.mesh.proxy.xds.EnvoyTypes.REGISTRY;

    private ConfigDump() {}

    public static io.envoyproxy.envoy.admin.v3.ConfigDump of(AdsClient.Applied applied) throws InvalidProtocolBufferException {
        var clusters = ClustersConfigDump.newBuilder();
        var endpoints = EndpointsConfigDump.newBuilder();
        var listeners = ListenersConfigDump.newBuilder();
        var routes = RoutesConfigDump.newBuilder();
        if (applied != null) {
            XdsState.Accepted a = applied.resources().get(XdsState.CDS);
            if (a != null) {
                clusters.setVersionInfo(a.version());
                for (Any c : a.resources()) {
                    clusters.addDynamicActiveClusters(ClustersConfigDump.DynamicCluster.newBuilder()
                            .setVersionInfo(a.version()).setCluster(c));
                }
            }
            a = applied.resources().get(XdsState.EDS);
            if (a != null) {
                for (Any e : a.resources()) {
                    endpoints.addDynamicEndpointConfigs(EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
                            .setVersionInfo(a.version()).setEndpointConfig(e));
                }
            }
            a = applied.resources().get(XdsState.LDS);
            if (a != null) {
                listeners.setVersionInfo(a.version());
                for (Any l : a.resources()) {
                    String name = l.unpack(Listener.class).getName();
                    listeners.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder().setName(name)
                            .setActiveState(ListenersConfigDump.DynamicListenerState.newBuilder()
                                    .setVersionInfo(a.version()).setListener(l)));
                }
            }
            a = applied.resources().get(XdsState.RDS);
            if (a != null) {
                for (Any r : a.resources()) {
                    routes.addDynamicRouteConfigs(RoutesConfigDump.DynamicRouteConfig.newBuilder()
                            .setVersionInfo(a.version()).setRouteConfig(r));
                }
            }
        }
        return io.envoyproxy.envoy.admin.v3.ConfigDump.newBuilder()
                .addConfigs(Any.pack(clusters.build()))
                .addConfigs(Any.pack(listeners.build()))
                .addConfigs(Any.pack(routes.build()))
                .addConfigs(Any.pack(endpoints.build()))
                .build();
    }

    public static String json(AdsClient.Applied applied) throws InvalidProtocolBufferException {
        return JsonFormat.printer().usingTypeRegistry(TYPES).print(of(applied));
    }
}
