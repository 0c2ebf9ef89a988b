package dev.mesh.distributor.translate;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;

/** The Envoy filters the translation uses, by their well-known names. */
final class Filters {

    static final String HCM = "envoy.filters.network.http_connection_manager";
    static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";

    private static final HttpFilter FAULT = HttpFilter.newBuilder().setName(RouteTranslator.FAULT_FILTER)
            .setTypedConfig(Protos.any(HTTPFault.getDefaultInstance())).build();
    private static final HttpFilter ROUTER = HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Protos.any(Router.getDefaultInstance())).build();

    static final ListenerFilter ORIGINAL_DST = ListenerFilter.newBuilder()
            .setName("envoy.filters.listener.original_dst")
            .setTypedConfig(Protos.any(OriginalDst.getDefaultInstance())).build();
    static final ListenerFilter TLS_INSPECTOR = ListenerFilter.newBuilder()
            .setName("envoy.filters.listener.tls_inspector")
            .setTypedConfig(Protos.any(TlsInspector.getDefaultInstance())).build();
    static final ListenerFilter HTTP_INSPECTOR = ListenerFilter.newBuilder()
            .setName("envoy.filters.listener.http_inspector")
            .setTypedConfig(Protos.any(HttpInspector.getDefaultInstance())).build();

    private Filters() {
    }

    /** An HTTP connection manager taking its routes from RDS. */
    static Filter httpRds(String statPrefix, String routeConfigName, boolean edge) {
        return hcm(hcmBase(statPrefix, edge).setRds(Rds.newBuilder().setConfigSource(Protos.ADS)
                .setRouteConfigName(routeConfigName)).build());
    }

    /**
     * The HTTP connection manager of a sidecar's inbound port, routes inline: the authorization
     * filters first (in order), and, as Istio's inbound, the peer's certificate appended to
     * {@code x-forwarded-client-cert} (subject, URI and DNS SANs) when the connection is mutual TLS.
     */
    static Filter httpInbound(String statPrefix, RouteConfiguration routes, List<HttpFilter> authorization) {
        HttpConnectionManager.Builder manager = hcmBase(statPrefix, false).setRouteConfig(routes)
                .setForwardClientCertDetails(HttpConnectionManager.ForwardClientCertDetails.APPEND_FORWARD)
                .setSetCurrentClientCertDetails(HttpConnectionManager.SetCurrentClientCertDetails.newBuilder()
                        .setSubject(com.google.protobuf.BoolValue.of(true)).setUri(true).setDns(true));
        if (!authorization.isEmpty()) {
            List<HttpFilter> filters = new java.util.ArrayList<>(authorization);
            filters.addAll(manager.getHttpFiltersList());
            manager.clearHttpFilters().addAllHttpFilters(filters);
        }
        return hcm(manager.build());
    }

    /** The HTTP connection manager of a proxyless gRPC client's API listener: RDS, router only. */
    static HttpConnectionManager grpcApiListener(String routeConfigName) {
        return HttpConnectionManager.newBuilder().setStatPrefix(routeConfigName)
                .setRds(Rds.newBuilder().setConfigSource(Protos.ADS).setRouteConfigName(routeConfigName))
                .addHttpFilters(ROUTER).build();
    }

    private static HttpConnectionManager.Builder hcmBase(String statPrefix, boolean edge) {
        return HttpConnectionManager.newBuilder()
                .setStatPrefix(statPrefix)
                .setCodecType(HttpConnectionManager.CodecType.AUTO)
                .setUseRemoteAddress(com.google.protobuf.BoolValue.of(edge))
                .setGenerateRequestId(com.google.protobuf.BoolValue.of(true))
                .addAllHttpFilters(List.of(FAULT, ROUTER));
    }

    private static Filter hcm(HttpConnectionManager manager) {
        return Filter.newBuilder().setName(HCM).setTypedConfig(Protos.any(manager)).build();
    }

    static Filter tcpProxy(String statPrefix, String cluster) {
        return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Protos.any(
                TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster).build())).build();
    }

    static Filter tcpProxy(String statPrefix, TcpProxy.WeightedCluster weighted) {
        return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Protos.any(
                TcpProxy.newBuilder().setStatPrefix(statPrefix).setWeightedClusters(weighted).build())).build();
    }
}
