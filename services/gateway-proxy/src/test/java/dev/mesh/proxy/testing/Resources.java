package dev.mesh.proxy.testing;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/** Builders for the xDS resources the config-distributor sends a gateway, in its naming. */
public final class Resources {

    private Resources() {}

    public static String clusterName(String subset, String host) {
        return "outbound|80|" + (subset == null ? "" : subset) + "|" + host;
    }

    public static Cluster edsCluster(String name, Cluster.LbPolicy lb) {
        String host = name.substring(name.lastIndexOf('|') + 1);
        Struct svc = Struct.newBuilder().putFields("host", str(host))
                .putFields("name", str(host.split("\\.")[0])).putFields("namespace", str(host.split("\\.")[1])).build();
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName(name)
                        .setEdsConfig(ads()))
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                .setLbPolicy(lb)
                .setMetadata(Metadata.newBuilder().putFilterMetadata("istio", Struct.newBuilder()
                        .putFields("services", Value.newBuilder().setListValue(com.google.protobuf.ListValue.newBuilder()
                                .addValues(Value.newBuilder().setStructValue(svc))).build()).build()))
                .build();
    }

    /** Endpoints given as {@code workload@port}, all on 127.0.0.1. */
    public static ClusterLoadAssignment endpoints(String cluster, String... workloadAtPort) {
        LocalityLbEndpoints.Builder loc = LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(UInt32Value.of(1));
        for (String w : workloadAtPort) {
            String[] p = w.split("@");
            loc.addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder().setAddress(address("127.0.0.1", Integer.parseInt(p[1]))))
                    .setLoadBalancingWeight(UInt32Value.of(1))
                    .setMetadata(Metadata.newBuilder().putFilterMetadata("istio",
                            Struct.newBuilder().putFields("workload", str(p[0])).build())));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(loc).build();
    }

    public static Listener httpListener(int port) {
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("http." + port)
                .setRds(Rds.newBuilder().setRouteConfigName("http." + port).setConfigSource(ads()))
                .setUseRemoteAddress(BoolValue.of(true)).build();
        return Listener.newBuilder().setName("0.0.0.0_" + port).setAddress(address("0.0.0.0", port))
                .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
                .build();
    }

    public static RouteConfiguration routes(int port, VirtualHost... hosts) {
        return RouteConfiguration.newBuilder().setName("http." + port).addAllVirtualHosts(java.util.List.of(hosts)).build();
    }

    public static VirtualHost host(String name, java.util.List<String> domains, Route... routes) {
        return VirtualHost.newBuilder().setName(name).addAllDomains(domains).addAllRoutes(java.util.List.of(routes)).build();
    }

    public static RouteMatch.Builder prefix(String p) {
        return RouteMatch.newBuilder().setPrefix(p);
    }

    public static RouteAction.Builder toCluster(String cluster) {
        return RouteAction.newBuilder().setCluster(cluster).setTimeout(com.google.protobuf.Duration.getDefaultInstance());
    }

    public static RouteAction.Builder weighted(String a, int wa, String b, int wb) {
        return RouteAction.newBuilder().setTimeout(com.google.protobuf.Duration.getDefaultInstance())
                .setWeightedClusters(WeightedCluster.newBuilder()
                        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(a).setWeight(UInt32Value.of(wa)))
                        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(b).setWeight(UInt32Value.of(wb))));
    }

    public static Route route(String name, RouteMatch.Builder match, RouteAction.Builder action) {
        return Route.newBuilder().setName(name).setMatch(match).setRoute(action).build();
    }

    public static ConfigSource ads() {
        return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(io.envoyproxy.envoy.config.core.v3.ApiVersion.V3).build();
    }

    public static Address address(String ip, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
    }

    static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    public static com.google.protobuf.Duration millis(long ms) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
    }

    static String nameOf(Any a) {
        try {
            return switch (a.getTypeUrl()) {
                case XdsState.CDS -> a.unpack(Cluster.class).getName();
                case XdsState.EDS -> a.unpack(ClusterLoadAssignment.class).getClusterName();
                case XdsState.LDS -> a.unpack(Listener.class).getName();
                case XdsState.RDS -> a.unpack(RouteConfiguration.class).getName();
                default -> "";
            };
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
