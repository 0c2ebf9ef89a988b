package dev.mesh.proxy.xds;

import com.google.protobuf.util.JsonFormat;
import java.util.List;

/**
 * Every Envoy proto type that can sit inside an {@code Any} of the config this proxy takes (filters, transport
 * sockets, protocol options) and of its {@code /config_dump}: one list for printing and parsing JSON, so a type the
 * control plane starts sending is added in one place.
 */
public final class EnvoyTypes {

    public static final JsonFormat.TypeRegistry REGISTRY = JsonFormat.TypeRegistry.newBuilder().add(List.of(
            io.envoyproxy.envoy.admin.v3.ClustersConfigDump.getDescriptor(),
            io.envoyproxy.envoy.admin.v3.ListenersConfigDump.getDescriptor(),
            io.envoyproxy.envoy.admin.v3.RoutesConfigDump.getDescriptor(),
            io.envoyproxy.envoy.admin.v3.EndpointsConfigDump.getDescriptor(),
            io.envoyproxy.envoy.config.cluster.v3.Cluster.getDescriptor(),
            io.envoyproxy.envoy.config.listener.v3.Listener.getDescriptor(),
            io.envoyproxy.envoy.config.route.v3.RouteConfiguration.getDescriptor(),
            io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    .getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor(),
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor(),
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor(),
            io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDescriptor(),
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())).build();

    private EnvoyTypes() {
    }
}
