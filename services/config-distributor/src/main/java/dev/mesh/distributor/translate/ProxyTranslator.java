package dev.mesh.distributor.translate;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.RouteDestination;
import dev.mesh.api.networking.Server;
import dev.mesh.api.networking.ServerTLSSettings;
import dev.mesh.api.networking.TCPRoute;
import dev.mesh.api.networking.TLSRoute;
import dev.mesh.api.networking.VirtualService;
import dev.mesh.api.xds.ClusterName;
import dev.mesh.distributor.model.PodModel;
import dev.mesh.distributor.model.ServiceModel;
import dev.mesh.distributor.translate.MeshService.MeshPort;
import dev.mesh.distributor.xds.ProxyNode;
import dev.mesh.distributor.xds.ProxySnapshot;
import dev.mesh.distributor.xds.ResourceInterner;
import dev.mesh.distributor.xds.XdsResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import dev.mesh.api.security.PeerAuthentication.MutualTLS.Mode;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one proxy gets, from one {@link MeshIndex}: a pure function of the mesh and the
 * proxy (router, sidecar or proxyless gRPC client), with identical resources interned so they are
 * serialised once however many proxies receive them.
 */
public final class ProxyTranslator {

    public static final String PASSTHROUGH_CLUSTER = "PassthroughCluster";
    public static final String BLACKHOLE_CLUSTER = "BlackHoleCluster";
    public static final String INBOUND_PASSTHROUGH_CLUSTER = "InboundPassthroughCluster";
    public static final int OUTBOUND_CAPTURE_PORT = 15001;
    public static final int INBOUND_CAPTURE_PORT = 15006;

    private final ClusterTranslator clusters;
    private final MeshTls tls;
    private final AuthorizationTranslator authorization;
    private final ResourceInterner interner;

    /**
     * @param tls the mesh's TLS: inbound mutual TLS as PeerAuthentication asks (the outbound side is
     *            the cluster translator's)
     */
    public ProxyTranslator(ClusterTranslator clusters, MeshTls tls, ResourceInterner interner) {
        this.clusters = clusters;
        this.tls = tls;
        this.authorization = new AuthorizationTranslator(tls);
        this.interner = interner;
    }

    /** A new mesh snapshot is being translated: resources the last one did not use may be forgotten. */
    public void nextGeneration() {
        interner.nextGeneration();
    }

    /**
     * What {@code node} gets. The part every proxy of the same kind, namespace and labels shares
     * (all but a sidecar's inbound side) is computed once per index and reused for the others.
     */
    public ProxySnapshot translate(MeshIndex index, ProxyNode node) {
        String kind = node.isProxylessGrpc() ? "grpc" : node.isRouter() ? "router" : "sidecar";
        Map<String, String> labels = labelsOf(index, node);
        ProxySnapshot shared = index.memo(List.of(kind, node.namespace(), labels), () -> {
            List<XdsResource> out = new ArrayList<>();
            switch (kind) {
                case "grpc" -> grpc(index, node, labels, out);
                case "router" -> router(index, node, labels, out);
                default -> {
                    outboundClusters(index, node, out, false);
                    specialClusters(out);
                    outboundListeners(index, node, labels, out);
                }
            }
            return ProxySnapshot.of(out);
        });
        if (!kind.equals("sidecar")) {
            return shared;
        }
        List<XdsResource> inbound = new ArrayList<>();
        inbound(index, node, index.pod(node.namespace(), node.podName()), inbound);
        return shared.with(inbound);
    }

    /** The proxy's labels as it reports them, else its pod's. */
    private static Map<String, String> labelsOf(MeshIndex index, ProxyNode node) {
        if (!node.labels().isEmpty()) {
            return node.labels();
        }
        return index.pod(node.namespace(), node.podName()).map(PodModel::labels).orElse(Map.of());
    }

    // ---- clusters and endpoints, shared by every kind of proxy ----

    private void outboundClusters(MeshIndex index, ProxyNode node, List<XdsResource> out, boolean grpc) {
        for (MeshService service : index.services().values()) {
            IstioResource<DestinationRule> rule = index.destinationRule(service.host(), node.namespace()).orElse(null);
            for (ClusterTranslator.Built built : clusters.outbound(index, service, rule)) {
                Cluster cluster = built.cluster();
                if (grpc) {
                    // proxyless gRPC balances round robin; it ignores the options it does not know. It
                    // has no SDS: mesh TLS reaches it through certificate providers (not built here),
                    // so its clusters stay plain text.
                    cluster = cluster.toBuilder().setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN).clearTransportSocket()
                            .clearTransportSocketMatches().build();
                }
                out.add(interner.intern(cluster.getName(), cluster));
                if (built.endpoints() != null) {
                    out.add(interner.intern(built.endpoints().getClusterName(), built.endpoints()));
                }
            }
        }
    }

    private void specialClusters(List<XdsResource> out) {
        Cluster passthrough = Cluster.newBuilder().setName(PASSTHROUGH_CLUSTER)
                .setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
                .setConnectTimeout(Protos.seconds(10)).build();
        Cluster inboundPassthrough = passthrough.toBuilder().setName(INBOUND_PASSTHROUGH_CLUSTER).build();
        Cluster blackhole = Cluster.newBuilder().setName(BLACKHOLE_CLUSTER).setType(Cluster.DiscoveryType.STATIC)
                .setConnectTimeout(Protos.seconds(10)).build();
        out.add(interner.intern(PASSTHROUGH_CLUSTER, passthrough));
        out.add(interner.intern(INBOUND_PASSTHROUGH_CLUSTER, inboundPassthrough));
        out.add(interner.intern(BLACKHOLE_CLUSTER, blackhole));
    }

    // ---- routers (gateways) ----

    private void router(MeshIndex index, ProxyNode node, Map<String, String> labels, List<XdsResource> out) {
        outboundClusters(index, node, out, false);
        List<IstioResource<Gateway>> gateways = index.gatewaysFor(labels);
        // servers by port, in Gateway order
        Map<Integer, List<Map.Entry<IstioResource<Gateway>, Server>>> byPort = new TreeMap<>();
        for (IstioResource<Gateway> gateway : gateways) {
            for (Server server : gateway.spec().servers()) {
                byPort.computeIfAbsent(server.port().number(), p -> new ArrayList<>()).add(Map.entry(gateway, server));
            }
        }
        for (Map.Entry<Integer, List<Map.Entry<IstioResource<Gateway>, Server>>> port : byPort.entrySet()) {
            routerPort(index, node, port.getKey(), port.getValue(), out);
        }
    }

    private void routerPort(MeshIndex index, ProxyNode node, int port,
            List<Map.Entry<IstioResource<Gateway>, Server>> servers, List<XdsResource> out) {
        Listener.Builder listener = Listener.newBuilder().setName("0.0.0.0_" + port)
                .setAddress(Protos.address("0.0.0.0", port))
                .setTrafficDirection(TrafficDirection.OUTBOUND);
        List<Map.Entry<IstioResource<Gateway>, Server>> plainHttp = new ArrayList<>();
        for (Map.Entry<IstioResource<Gateway>, Server> entry : servers) {
            Server server = entry.getValue();
            String protocol = server.port().protocol().toUpperCase();
            ServerTLSSettings tls = server.tls();
            boolean terminates = tls != null && tls.mode() != ServerTLSSettings.TLSmode.PASSTHROUGH
                    && tls.mode() != ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH;
            switch (protocol) {
                case "HTTP", "HTTP2", "GRPC", "GRPC-WEB" -> plainHttp.add(entry);
                case "HTTPS" -> {
                    if (terminates) {
                        String routeName = "https." + port + "." + server.port().name() + "."
                                + entry.getKey().metadata().name() + "." + entry.getKey().metadata().namespace();
                        listener.addFilterChains(FilterChain.newBuilder()
                                .setFilterChainMatch(sni(server.hosts()))
                                .setTransportSocket(serverTls(tls))
                                .addFilters(Filters.httpRds(routeName, routeName, true)));
                        out.add(interner.intern(routeName, RouteConfiguration.newBuilder().setName(routeName)
                                .addAllVirtualHosts(gatewayHosts(index, List.of(entry), port)).build()));
                    } else {
                        tlsPassthrough(index, entry, port, listener);
                    }
                }
                case "TLS" -> tlsPassthrough(index, entry, port, listener);
                default -> tcpServer(index, entry, port, listener);
            }
        }
        if (!plainHttp.isEmpty()) {
            String routeName = "http." + port;
            listener.addFilterChains(FilterChain.newBuilder().addFilters(Filters.httpRds(routeName, routeName, true)));
            out.add(interner.intern(routeName, RouteConfiguration.newBuilder().setName(routeName)
                    .addAllVirtualHosts(gatewayHosts(index, plainHttp, port)).build()));
        }
        if (listener.getFilterChainsCount() > 0) {
            Listener built = listener.build();
            out.add(interner.intern(built.getName(), built));
        }
    }

    /** One virtual host per host that a bound VirtualService and a server both claim, merged in VirtualService order. */
    private List<VirtualHost> gatewayHosts(MeshIndex index, List<Map.Entry<IstioResource<Gateway>, Server>> servers,
            int port) {
        Map<String, List<Route>> routesByHost = new LinkedHashMap<>();
        for (Map.Entry<IstioResource<Gateway>, Server> entry : servers) {
            IstioResource<Gateway> gateway = entry.getKey();
            String gatewayKey = gateway.metadata().namespace() + "/" + gateway.metadata().name();
            RouteTranslator.Context context = new RouteTranslator.Context(index, gateway.metadata().namespace(), port,
                    Set.of(gatewayKey), Map.of());
            for (IstioResource<VirtualService> vs : index.virtualServices(gatewayKey)) {
                List<String> hosts = new ArrayList<>();
                for (String vsHost : vs.spec().hosts()) {
                    for (String serverHost : entry.getValue().hosts()) {
                        Hosts.intersection(vsHost, Hosts.withoutNamespace(serverHost, vs.metadata().namespace(),
                                gateway.metadata().namespace())).ifPresent(h -> {
                                    if (!hosts.contains(h)) {
                                        hosts.add(h);
                                    }
                                });
                    }
                }
                if (hosts.isEmpty()) {
                    continue;
                }
                List<Route> routes = RouteTranslator.routes(vs, context);
                for (String host : hosts) {
                    routesByHost.computeIfAbsent(host, h -> new ArrayList<>()).addAll(routes);
                }
            }
        }
        List<VirtualHost> hosts = new ArrayList<>();
        routesByHost.forEach((host, routes) -> hosts.add(VirtualHost.newBuilder().setName(host + ":" + port)
                .addAllDomains(domains(host, port)).addAllRoutes(routes).build()));
        return hosts;
    }

    private static List<String> domains(String host, int port) {
        return host.equals("*") ? List.of("*") : List.of(host, host + ":" + port);
    }

    private static FilterChainMatch sni(List<String> serverHosts) {
        FilterChainMatch.Builder match = FilterChainMatch.newBuilder();
        for (String host : serverHosts) {
            String h = host.contains("/") ? host.substring(host.indexOf('/') + 1) : host;
            if (!h.equals("*")) {
                match.addServerNames(h);
            }
        }
        return match.build();
    }

    private static TransportSocket serverTls(ServerTLSSettings tls) {
        String secret = "kubernetes://" + (tls.credentialName().isEmpty() ? "default" : tls.credentialName());
        DownstreamTlsContext context = DownstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .addAlpnProtocols("h2").addAlpnProtocols("http/1.1")
                        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName(secret)
                                .setSdsConfig(Protos.ADS)))
                .setRequireClientCertificate(com.google.protobuf.BoolValue.of(
                        tls.mode() == ServerTLSSettings.TLSmode.MUTUAL))
                .build();
        return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                .setTypedConfig(Protos.any(context)).build();
    }

    private void tlsPassthrough(MeshIndex index, Map.Entry<IstioResource<Gateway>, Server> entry, int port,
            Listener.Builder listener) {
        IstioResource<Gateway> gateway = entry.getKey();
        String gatewayKey = gateway.metadata().namespace() + "/" + gateway.metadata().name();
        for (IstioResource<VirtualService> vs : index.virtualServices(gatewayKey)) {
            for (TLSRoute route : vs.spec().tls()) {
                List<String> sniHosts = new ArrayList<>();
                route.match().stream().filter(m -> m.port() == 0 || m.port() == port)
                        .forEach(m -> sniHosts.addAll(m.sniHosts()));
                if (sniHosts.isEmpty()) {
                    continue;
                }
                RouteTranslator.Context context = new RouteTranslator.Context(index, gateway.metadata().namespace(),
                        port, Set.of(gatewayKey), Map.of());
                listener.addFilterChains(FilterChain.newBuilder()
                        .setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(sniHosts))
                        .addFilters(tcpProxy(route.route(), vs.metadata().namespace(), context)));
            }
        }
        if (listener.getFilterChainsCount() > 0) {
            listener.addListenerFilters(Filters.TLS_INSPECTOR);
        }
    }

    private void tcpServer(MeshIndex index, Map.Entry<IstioResource<Gateway>, Server> entry, int port,
            Listener.Builder listener) {
        IstioResource<Gateway> gateway = entry.getKey();
        String gatewayKey = gateway.metadata().namespace() + "/" + gateway.metadata().name();
        RouteTranslator.Context context = new RouteTranslator.Context(index, gateway.metadata().namespace(), port,
                Set.of(gatewayKey), Map.of());
        for (IstioResource<VirtualService> vs : index.virtualServices(gatewayKey)) {
            for (TCPRoute route : vs.spec().tcp()) {
                if (route.match().isEmpty() || route.match().stream().anyMatch(m -> m.port() == 0 || m.port() == port)) {
                    listener.addFilterChains(FilterChain.newBuilder()
                            .addFilters(tcpProxy(route.route(), vs.metadata().namespace(), context)));
                    return; // the first TCP route that applies takes the port
                }
            }
        }
    }

    private static io.envoyproxy.envoy.config.listener.v3.Filter tcpProxy(List<RouteDestination> destinations,
            String namespace, RouteTranslator.Context context) {
        if (destinations.size() == 1) {
            String cluster = RouteTranslator.clusterOf(destinations.get(0).destination(), namespace, context);
            return Filters.tcpProxy(cluster, cluster);
        }
        TcpProxy.WeightedCluster.Builder weighted = TcpProxy.WeightedCluster.newBuilder();
        for (RouteDestination d : destinations) {
            if (d.weight() > 0) {
                weighted.addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                        .setName(RouteTranslator.clusterOf(d.destination(), namespace, context)).setWeight(d.weight()));
            }
        }
        return Filters.tcpProxy("weighted", weighted.build());
    }

    // ---- sidecars ----

    private void outboundListeners(MeshIndex index, ProxyNode node, Map<String, String> labels,
            List<XdsResource> out) {
        Listener virtualOutbound = Listener.newBuilder().setName("virtualOutbound")
                .setAddress(Protos.address("0.0.0.0", OUTBOUND_CAPTURE_PORT))
                .setUseOriginalDst(com.google.protobuf.BoolValue.of(true))
                .setTrafficDirection(TrafficDirection.OUTBOUND)
                .setDefaultFilterChain(FilterChain.newBuilder().setName(PASSTHROUGH_CLUSTER)
                        .addFilters(Filters.tcpProxy(PASSTHROUGH_CLUSTER, PASSTHROUGH_CLUSTER)))
                .build();
        out.add(interner.intern(virtualOutbound.getName(), virtualOutbound));

        Set<Integer> httpPorts = new TreeSet<>();
        for (MeshService service : index.services().values()) {
            for (MeshPort port : service.ports()) {
                if (port.isHttp()) {
                    httpPorts.add(port.port());
                } else if (!service.address().isEmpty()) {
                    String name = service.address() + "_" + port.port();
                    String cluster = ClusterName.outbound(port.port(), "", service.host()).toString();
                    Listener tcp = Listener.newBuilder().setName(name)
                            .setAddress(Protos.address(service.address(), port.port()))
                            .setBindToPort(com.google.protobuf.BoolValue.of(false))
                            .setTrafficDirection(TrafficDirection.OUTBOUND)
                            .addFilterChains(FilterChain.newBuilder().addFilters(Filters.tcpProxy(cluster, cluster)))
                            .build();
                    out.add(interner.intern(name, tcp));
                }
            }
        }
        for (int port : httpPorts) {
            String name = "0.0.0.0_" + port;
            Listener http = Listener.newBuilder().setName(name)
                    .setAddress(Protos.address("0.0.0.0", port))
                    .setBindToPort(com.google.protobuf.BoolValue.of(false))
                    .setTrafficDirection(TrafficDirection.OUTBOUND)
                    .addListenerFilters(Filters.HTTP_INSPECTOR)
                    .addFilterChains(FilterChain.newBuilder().addFilters(
                            Filters.httpRds("outbound_0.0.0.0_" + port, Integer.toString(port), false)))
                    .build();
            out.add(interner.intern(name, http));
            RouteConfiguration routes = RouteConfiguration.newBuilder().setName(Integer.toString(port))
                    .addAllVirtualHosts(meshHosts(index, node, labels, port))
                    .addVirtualHosts(VirtualHost.newBuilder().setName("allow_any").addDomains("*")
                            .addRoutes(Route.newBuilder().setName("allow_any")
                                    .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/"))
                                    .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder()
                                            .setCluster(PASSTHROUGH_CLUSTER).setTimeout(Protos.seconds(0)))))
                    .build();
            out.add(interner.intern(routes.getName(), routes));
        }
    }

    /**
     * One virtual host per service with an HTTP port {@code port}: its routes from the VirtualService
     * bound to the mesh that claims its host, else the default route.
     */
    private List<VirtualHost> meshHosts(MeshIndex index, ProxyNode node, Map<String, String> labels, int port) {
        RouteTranslator.Context context = new RouteTranslator.Context(index, node.namespace(), port,
                Set.of(MeshIndex.MESH_GATEWAY), labels);
        List<VirtualHost> hosts = new ArrayList<>();
        for (MeshService service : index.services().values()) {
            MeshPort meshPort = service.port(port);
            if (meshPort == null || !meshPort.isHttp()) {
                continue;
            }
            List<Route> routes = meshRoutes(index, service, context);
            if (routes.isEmpty()) {
                routes = List.of(RouteTranslator.defaultRoute(
                        ClusterName.outbound(port, "", service.host()).toString()));
            }
            hosts.add(VirtualHost.newBuilder().setName(service.host() + ":" + port)
                    .addAllDomains(serviceDomains(index, service, node.namespace(), port)).addAllRoutes(routes).build());
        }
        return hosts;
    }

    private static List<Route> meshRoutes(MeshIndex index, MeshService service, RouteTranslator.Context context) {
        for (IstioResource<VirtualService> vs : index.virtualServices(MeshIndex.MESH_GATEWAY)) {
            for (String host : vs.spec().hosts()) {
                if (Hosts.matches(index.fqdn(host, vs.metadata().namespace()), service.host())) {
                    return RouteTranslator.routes(vs, context);
                }
            }
        }
        return List.of();
    }

    /** The names a client may call a service by: FQDN, name.namespace, the short name in its own namespace, its IP. */
    private static List<String> serviceDomains(MeshIndex index, MeshService service, String proxyNamespace,
            int port) {
        List<String> names = new ArrayList<>();
        names.add(service.host());
        if (service.host().equals(service.name() + "." + service.namespace() + ".svc." + index.domain())) {
            names.add(service.name() + "." + service.namespace() + ".svc");
            names.add(service.name() + "." + service.namespace());
            if (service.namespace().equals(proxyNamespace)) {
                names.add(service.name());
            }
        }
        if (!service.address().isEmpty()) {
            names.add(service.address());
        }
        List<String> domains = new ArrayList<>();
        for (String name : names) {
            if (!domains.contains(name)) {
                domains.add(name);
                domains.add(name + ":" + port);
            }
        }
        return domains;
    }

    /**
     * The sidecar's inbound listener (15006): per declared port, filter chains as the workload's
     * PeerAuthentication mode for that port says (STRICT: mutual TLS only, plain text sent to the
     * black hole; PERMISSIVE: mutual TLS and plain text, told apart by the TLS inspector; DISABLE:
     * plain text only); for other ports, pass-through with the workload-wide mode.
     */
    private void inbound(MeshIndex index, ProxyNode node, Optional<PodModel> pod, List<XdsResource> out) {
        Map<String, String> labels = pod.map(PodModel::labels).orElse(node.labels());
        Mode workloadMode = index.mtlsMode(node.namespace(), labels, 0);
        Listener.Builder virtualInbound = Listener.newBuilder().setName("virtualInbound")
                .setAddress(Protos.address("0.0.0.0", INBOUND_CAPTURE_PORT))
                .setTrafficDirection(TrafficDirection.INBOUND)
                .addListenerFilters(Filters.ORIGINAL_DST);
        boolean detectsTls = workloadMode != Mode.DISABLE;
        List<HttpFilter> httpAuthz = authorization.httpFilters(index, node.namespace(), labels);
        List<Filter> tcpAuthz = authorization.networkFilters(index, node.namespace(), labels);
        if (pod.isPresent()) {
            Map<Integer, String> inboundPorts = new TreeMap<>();
            for (ServiceModel service : index.servicesSelecting(pod.get())) {
                for (ServiceModel.Port port : service.ports()) {
                    int target = targetPort(port, pod.get());
                    if (target > 0) {
                        inboundPorts.putIfAbsent(target, MeshService.protocolOf(port.name(), port.appProtocol()));
                    }
                }
            }
            for (Map.Entry<Integer, String> port : inboundPorts.entrySet()) {
                String cluster = ClusterName.inbound(port.getKey()).toString();
                Cluster inboundCluster = Cluster.newBuilder().setName(cluster).setType(Cluster.DiscoveryType.STATIC)
                        .setConnectTimeout(Protos.seconds(10))
                        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(cluster)
                                .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                                        .setEndpoint(Endpoint.newBuilder()
                                                .setAddress(Protos.address("127.0.0.1", port.getKey()))))))
                        .build();
                out.add(interner.intern(cluster, inboundCluster));
                Mode mode = index.mtlsMode(node.namespace(), labels, port.getKey());
                detectsTls |= mode != Mode.DISABLE;
                boolean http = new MeshPort("", port.getKey(), port.getValue()).isHttp();
                List<Filter> filters = http ? List.of(inboundHttp(cluster, port.getKey(), httpAuthz))
                        : withTcpAuthz(tcpAuthz, Filters.tcpProxy(cluster, cluster));
                FilterChainMatch.Builder match = FilterChainMatch.newBuilder()
                        .setDestinationPort(Protos.u32(port.getKey()));
                if (mode != Mode.DISABLE) {
                    virtualInbound.addFilterChains(FilterChain.newBuilder().setName(cluster + "tls")
                            .setFilterChainMatch(match.clone().setTransportProtocol("tls"))
                            .setTransportSocket(tls.inboundMtls()).addAllFilters(filters));
                }
                switch (mode) {
                    case STRICT -> virtualInbound.addFilterChains(FilterChain.newBuilder().setName(cluster + "blackhole")
                            .setFilterChainMatch(match.clone().setTransportProtocol("raw_buffer"))
                            .addFilters(Filters.tcpProxy(BLACKHOLE_CLUSTER, BLACKHOLE_CLUSTER)));
                    case PERMISSIVE -> virtualInbound.addFilterChains(FilterChain.newBuilder().setName(cluster)
                            .setFilterChainMatch(match.clone().setTransportProtocol("raw_buffer")).addAllFilters(filters));
                    default -> virtualInbound.addFilterChains(FilterChain.newBuilder().setName(cluster)
                            .setFilterChainMatch(match).addAllFilters(filters));
                }
            }
        }
        if (workloadMode != Mode.DISABLE) {
            virtualInbound.addFilterChains(FilterChain.newBuilder().setName("virtualInbound-mtls")
                    .setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("tls"))
                    .setTransportSocket(tls.inboundMtls())
                    .addAllFilters(withTcpAuthz(tcpAuthz,
                            Filters.tcpProxy(INBOUND_PASSTHROUGH_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER))));
        }
        FilterChain.Builder fallback = FilterChain.newBuilder();
        if (workloadMode == Mode.STRICT) {
            fallback.setName(BLACKHOLE_CLUSTER).addFilters(Filters.tcpProxy(BLACKHOLE_CLUSTER, BLACKHOLE_CLUSTER));
        } else {
            fallback.setName(INBOUND_PASSTHROUGH_CLUSTER).addAllFilters(withTcpAuthz(tcpAuthz,
                    Filters.tcpProxy(INBOUND_PASSTHROUGH_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER)));
        }
        virtualInbound.setDefaultFilterChain(fallback);
        if (detectsTls) {
            virtualInbound.addListenerFilters(Filters.TLS_INSPECTOR);
        }
        Listener built = virtualInbound.build();
        out.add(interner.intern(built.getName(), built));
    }

    private static List<Filter> withTcpAuthz(List<Filter> authz, Filter proxy) {
        List<Filter> filters = new ArrayList<>(authz);
        filters.add(proxy);
        return filters;
    }

    private static Filter inboundHttp(String cluster, int port, List<HttpFilter> authz) {
        return Filters.httpInbound("inbound_0.0.0.0_" + port, RouteConfiguration.newBuilder().setName(cluster)
                .addVirtualHosts(VirtualHost.newBuilder().setName("inbound|http|" + port).addDomains("*")
                        .addRoutes(Route.newBuilder().setName("default")
                                .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/"))
                                .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder()
                                        .setCluster(cluster).setTimeout(Protos.seconds(0)))))
                .build(), authz);
    }

    /** The container port a service port sends to: its number, or the named container port; 0 if the pod has none. */
    private static int targetPort(ServiceModel.Port port, PodModel pod) {
        String target = port.targetPort();
        if (target.isEmpty()) {
            return port.port();
        }
        if (target.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(target);
        }
        return pod.containerPorts().stream().filter(p -> p.name().equals(target)).mapToInt(PodModel.ContainerPort::port)
                .findFirst().orElse(0);
    }

    // ---- proxyless gRPC ----

    private void grpc(MeshIndex index, ProxyNode node, Map<String, String> labels, List<XdsResource> out) {
        outboundClusters(index, node, out, true);
        for (MeshService service : index.services().values()) {
            for (MeshPort port : service.ports()) {
                String name = service.host() + ":" + port.port();
                Listener listener = Listener.newBuilder().setName(name)
                        .setApiListener(ApiListener.newBuilder().setApiListener(
                                Protos.any(Filters.grpcApiListener(name))))
                        .build();
                out.add(interner.intern(name, listener));
                RouteTranslator.Context context = new RouteTranslator.Context(index, node.namespace(), port.port(),
                        Set.of(MeshIndex.MESH_GATEWAY), labels);
                List<Route> routes = meshRoutes(index, service, context);
                if (routes.isEmpty()) {
                    routes = List.of(RouteTranslator.defaultRoute(
                            ClusterName.outbound(port.port(), "", service.host()).toString()));
                }
                // proxyless gRPC applies only gRPC retry conditions and stream timeouts of its own
                routes = routes.stream().map(r -> r.hasRoute()
                        ? r.toBuilder().setRoute(r.getRoute().toBuilder().clearRetryPolicy().clearTimeout()).build()
                        : r).toList();
                RouteConfiguration config = RouteConfiguration.newBuilder().setName(name)
                        .addVirtualHosts(VirtualHost.newBuilder().setName(name)
                                .addAllDomains(serviceDomains(index, service, node.namespace(), port.port()))
                                .addAllRoutes(routes))
                        .build();
                out.add(interner.intern(name, config));
            }
        }
    }
}
