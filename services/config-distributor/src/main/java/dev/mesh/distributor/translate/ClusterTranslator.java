package dev.mesh.distributor.translate;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.ConnectionPoolSettings;
import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.LoadBalancerSettings;
import dev.mesh.api.networking.OutlierDetection;
import dev.mesh.api.networking.Subset;
import dev.mesh.api.networking.TrafficPolicy;
import dev.mesh.api.xds.ClusterName;
import dev.mesh.distributor.translate.MeshService.MeshEndpoint;
import dev.mesh.distributor.translate.MeshService.MeshPort;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Clusters and their endpoints, as Istio builds them: for each service port an unsubsetted cluster
 * {@code outbound|<port>||<host>} and one per DestinationRule subset, each fed by EDS with the
 * endpoints whose labels the subset selects. Pure functions.
 */
public final class ClusterTranslator {

    private static final java.time.Duration DEFAULT_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(10);
    private static final long UNLIMITED = 0xFFFF_FFFFL;

    private final UpstreamTls tls;

    public ClusterTranslator(UpstreamTls tls) {
        this.tls = tls;
    }

    /** One outbound cluster and its endpoint assignment (null for DNS and passthrough clusters). */
    public record Built(Cluster cluster, ClusterLoadAssignment endpoints) {
    }

    /** Every outbound cluster of {@code service}, the DestinationRule {@code rule} applied (may be null). */
    public List<Built> outbound(MeshIndex index, MeshService service, IstioResource<DestinationRule> rule) {
        List<Built> clusters = new ArrayList<>();
        for (MeshPort port : service.ports()) {
            TrafficPolicy servicePolicy = rule == null ? null : rule.spec().trafficPolicy();
            clusters.add(build(index, service, port, "", Map.of(), servicePolicy, rule));
            if (rule != null) {
                for (Subset subset : rule.spec().subsets()) {
                    TrafficPolicy policy = merge(servicePolicy, subset.trafficPolicy());
                    clusters.add(build(index, service, port, subset.name(), subset.labels(), policy, rule));
                }
            }
        }
        return clusters;
    }

    private Built build(MeshIndex index, MeshService service, MeshPort port, String subset, Map<String, String> subsetLabels,
            TrafficPolicy policy, IstioResource<DestinationRule> rule) {
        String name = ClusterName.outbound(port.port(), subset, service.host()).toString();
        PortPolicy p = PortPolicy.of(policy, port.port());
        Cluster.Builder cluster = Cluster.newBuilder().setName(name)
                .setConnectTimeout(Protos.duration(p.connectTimeout()))
                .setCircuitBreakers(circuitBreakers(p.pool()))
                .setMetadata(metadata(service, subset, rule));
        applyLoadBalancer(cluster, p.loadBalancer());
        applyProtocol(cluster, port, p.pool());
        if (p.outlier() != null) {
            cluster.setOutlierDetection(outlierDetection(p.outlier()));
            if (p.outlier().minHealthPercent() > 0) {
                // as Istio: below this share of healthy hosts, balance over all of them (panic mode)
                cluster.setCommonLbConfig(Cluster.CommonLbConfig.newBuilder().setHealthyPanicThreshold(
                        io.envoyproxy.envoy.type.v3.Percent.newBuilder().setValue(p.outlier().minHealthPercent())));
            }
        }
        ClusterLoadAssignment assignment = assignment(index, name, service, port, subsetLabels);
        switch (service.resolution()) {
            case EDS -> cluster.setType(Cluster.DiscoveryType.EDS)
                    .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ADS)
                            .setServiceName(name));
            case DNS -> {
                cluster.setType(Cluster.DiscoveryType.STRICT_DNS)
                        .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_PREFERRED)
                        .setLoadAssignment(assignment);
                assignment = null;
            }
            case PASSTHROUGH -> {
                cluster.setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
                assignment = null;
            }
        }
        tls.apply(cluster, index, service, port, subset, p.tlsPolicy());
        return new Built(cluster.build(), assignment);
    }

    /** The endpoints of {@code service} on {@code port} whose labels include {@code subsetLabels}, ready ones only. */
    static ClusterLoadAssignment assignment(MeshIndex index, String clusterName, MeshService service, MeshPort port,
            Map<String, String> subsetLabels) {
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(Protos.u32(1));
        for (MeshEndpoint e : service.endpoints()) {
            Integer target = e.ports().get(port.name());
            if (target == null && e.ports().size() == 1 && service.ports().size() == 1) {
                target = e.ports().values().iterator().next();
            }
            if (target == null || !e.labels().entrySet().containsAll(subsetLabels.entrySet())) {
                continue;
            }
            LbEndpoint.Builder lb = LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress(Protos.address(e.address(), target)))
                    .setHealthStatus(e.ready() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY)
                    .setLoadBalancingWeight(Protos.u32(1));
            Struct.Builder istio = Struct.newBuilder();
            workloadMetadata(index, service, e).ifPresent(w ->
                    istio.putFields("workload", Value.newBuilder().setStringValue(w).build()));
            String tlsMode = tlsMode(index, service, e, target);
            lb.setMetadata(Metadata.newBuilder()
                    .putFilterMetadata("istio", istio.build())
                    .putFilterMetadata(MeshTls.TRANSPORT_SOCKET_MATCH, Struct.newBuilder()
                            .putFields("tlsMode", Value.newBuilder().setStringValue(tlsMode).build()).build()));
            locality.addLbEndpoints(lb);
        }
        ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
        if (locality.getLbEndpointsCount() > 0) {
            cla.addEndpoints(locality);
        }
        return cla.build();
    }

    /**
     * Istio's endpoint telemetry metadata, which the calling proxy labels {@code destination_*} with:
     * {@code <workload>;<namespace>;<canonical service>;<canonical revision>;<cluster>} (revision empty for
     * {@code latest}; the cluster part is left empty, as one distributor serves one cluster). Only for endpoints
     * backed by a pod.
     */
    static java.util.Optional<String> workloadMetadata(MeshIndex index, MeshService service, MeshEndpoint e) {
        var pod = index.podOf(service.namespace(), e);
        String podName = pod.map(p -> p.name()).orElse(e.podName());
        if (podName.isEmpty()) {
            return java.util.Optional.empty();
        }
        Map<String, String> labels = new java.util.HashMap<>(e.labels());
        pod.ifPresent(p -> labels.putAll(p.labels()));
        String namespace = pod.map(p -> p.namespace()).orElse(service.namespace());
        String workload = workloadName(podName, labels);
        String app = firstLabel(labels, workload, "service.istio.io/canonical-name", "app.kubernetes.io/name", "app");
        String revision = firstLabel(labels, "latest", "service.istio.io/canonical-revision", "app.kubernetes.io/version",
                "version");
        return java.util.Optional.of(workload + ";" + namespace + ";" + app + ";"
                + (revision.equals("latest") ? "" : revision) + ";");
    }

    /**
     * The workload (controller) a pod belongs to, from what its name and labels tell: a Deployment's pods are
     * {@code <deployment>-<pod-template-hash>-<suffix>}, a Job's carry {@code job-name}, a StatefulSet's are
     * {@code <statefulset>-<ordinal>}; any other pod is its own workload.
     */
    static String workloadName(String podName, Map<String, String> labels) {
        String hash = labels.get("pod-template-hash");
        if (hash != null && !hash.isEmpty()) {
            int at = podName.lastIndexOf("-" + hash + "-");
            if (at > 0) {
                return podName.substring(0, at);
            }
        }
        String job = labels.get("job-name");
        if (job != null && !job.isEmpty()) {
            return job;
        }
        if (labels.containsKey("statefulset.kubernetes.io/pod-name") && podName.matches(".+-\\d+")) {
            return podName.substring(0, podName.lastIndexOf('-'));
        }
        return podName;
    }

    private static String firstLabel(Map<String, String> labels, String fallback, String... keys) {
        for (String key : keys) {
            String v = labels.get(key);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return fallback;
    }

    /**
     * The endpoint's {@code tlsMode} for transport socket matching: {@code istio} when its pod has a
     * sidecar (the injector's label) and its PeerAuthentication for the target port is not DISABLE,
     * as Istio's endpoint builder decides; {@code disabled} otherwise.
     */
    private static String tlsMode(MeshIndex index, MeshService service, MeshEndpoint e, int targetPort) {
        String mode = e.labels().getOrDefault(MeshTls.TLS_MODE_LABEL, "disabled");
        if (!mode.equals("istio")) {
            return "disabled";
        }
        return index.podOf(service.namespace(), e)
                .filter(pod -> index.mtlsMode(pod.namespace(), pod.labels(), targetPort)
                        == dev.mesh.api.security.PeerAuthentication.MutualTLS.Mode.DISABLE)
                .map(pod -> "disabled").orElse(mode);
    }

    /** A subset's traffic policy replaces the rule's, field by field, as Istio merges them. */
    static TrafficPolicy merge(TrafficPolicy base, TrafficPolicy subset) {
        if (subset == null) {
            return base;
        }
        if (base == null) {
            return subset;
        }
        return new TrafficPolicy(
                subset.loadBalancer() != null ? subset.loadBalancer() : base.loadBalancer(),
                subset.connectionPool() != null ? subset.connectionPool() : base.connectionPool(),
                subset.outlierDetection() != null ? subset.outlierDetection() : base.outlierDetection(),
                subset.tls() != null ? subset.tls() : base.tls(),
                !subset.portLevelSettings().isEmpty() ? subset.portLevelSettings() : base.portLevelSettings(),
                subset.tunnel() != null ? subset.tunnel() : base.tunnel(),
                subset.proxyProtocol() != null ? subset.proxyProtocol() : base.proxyProtocol(),
                subset.retryBudget() != null ? subset.retryBudget() : base.retryBudget());
    }

    private static CircuitBreakers circuitBreakers(ConnectionPoolSettings pool) {
        long maxConnections = UNLIMITED;
        long maxPending = UNLIMITED;
        long maxRequests = UNLIMITED;
        long maxRetries = UNLIMITED;
        if (pool != null && pool.tcp() != null && pool.tcp().maxConnections() > 0) {
            maxConnections = pool.tcp().maxConnections();
        }
        if (pool != null && pool.http() != null) {
            ConnectionPoolSettings.HTTPSettings http = pool.http();
            maxPending = http.http1MaxPendingRequests() > 0 ? http.http1MaxPendingRequests() : maxPending;
            maxRequests = http.http2MaxRequests() > 0 ? http.http2MaxRequests() : maxRequests;
            maxRetries = http.maxRetries() > 0 ? http.maxRetries() : maxRetries;
        }
        return CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                .setPriority(RoutingPriority.DEFAULT)
                .setMaxConnections(Protos.u32(maxConnections))
                .setMaxPendingRequests(Protos.u32(maxPending))
                .setMaxRequests(Protos.u32(maxRequests))
                .setMaxRetries(Protos.u32(maxRetries))
                .setTrackRemaining(true)).build();
    }

    private static void applyLoadBalancer(Cluster.Builder cluster, LoadBalancerSettings lb) {
        // Istio's default is LEAST_REQUEST.
        Cluster.LbPolicy policy = Cluster.LbPolicy.LEAST_REQUEST;
        if (lb != null && lb.consistentHash() != null) {
            LoadBalancerSettings.ConsistentHashLB hash = lb.consistentHash();
            if (hash.maglev() != null) {
                policy = Cluster.LbPolicy.MAGLEV;
                if (hash.maglev().tableSize() > 0) {
                    cluster.setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder()
                            .setTableSize(com.google.protobuf.UInt64Value.of(hash.maglev().tableSize())));
                }
            } else {
                policy = Cluster.LbPolicy.RING_HASH;
                long min = hash.ringHash() != null ? hash.ringHash().minimumRingSize() : hash.minimumRingSize();
                if (min > 0) {
                    cluster.setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder()
                            .setMinimumRingSize(com.google.protobuf.UInt64Value.of(min)));
                }
            }
        } else if (lb != null && lb.simple() != null) {
            policy = switch (lb.simple()) {
                case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
                case RANDOM -> Cluster.LbPolicy.RANDOM;
                case PASSTHROUGH -> Cluster.LbPolicy.CLUSTER_PROVIDED;
                default -> Cluster.LbPolicy.LEAST_REQUEST;
            };
        }
        cluster.setLbPolicy(policy);
    }

    private static void applyProtocol(Cluster.Builder cluster, MeshPort port, ConnectionPoolSettings pool) {
        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.Builder options =
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder();
        boolean any = false;
        HttpProtocolOptions.Builder common = HttpProtocolOptions.newBuilder();
        if (pool != null && pool.http() != null) {
            if (pool.http().maxRequestsPerConnection() > 0) {
                common.setMaxRequestsPerConnection(Protos.u32(pool.http().maxRequestsPerConnection()));
                any = true;
            }
            if (pool.http().idleTimeout() != null) {
                common.setIdleTimeout(Protos.duration(pool.http().idleTimeout()));
                any = true;
            }
        }
        if (pool != null && pool.tcp() != null && pool.tcp().maxConnectionDuration() != null) {
            common.setMaxConnectionDuration(Protos.duration(pool.tcp().maxConnectionDuration()));
            any = true;
        }
        if (any) {
            options.setCommonHttpProtocolOptions(common);
        }
        boolean upgrade = pool != null && pool.http() != null
                && pool.http().h2UpgradePolicy() == ConnectionPoolSettings.HTTPSettings.H2UpgradePolicy.UPGRADE;
        boolean h2 = port.protocol().equals("HTTP2") || port.protocol().equals("GRPC") || upgrade;
        if (h2) {
            Http2ProtocolOptions.Builder http2 = Http2ProtocolOptions.newBuilder();
            if (pool != null && pool.http() != null && pool.http().maxConcurrentStreams() > 0) {
                http2.setMaxConcurrentStreams(Protos.u32(pool.http().maxConcurrentStreams()));
            }
            options.setExplicitHttpConfig(
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(http2));
            any = true;
        } else if (pool != null && pool.http() != null && pool.http().useClientProtocol()) {
            options.setUseDownstreamProtocolConfig(
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig
                            .newBuilder().setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
            any = true;
        }
        if (any) {
            cluster.putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                    Protos.any(options.build()));
        }
    }

    private static io.envoyproxy.envoy.config.cluster.v3.OutlierDetection outlierDetection(OutlierDetection o) {
        var out = io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder();
        Integer fiveXx = o.consecutive5xxErrors() != null ? o.consecutive5xxErrors()
                : (o.consecutiveErrors() > 0 ? Integer.valueOf(o.consecutiveErrors()) : null);
        if (fiveXx != null) {
            out.setConsecutive5Xx(Protos.u32(fiveXx)).setEnforcingConsecutive5Xx(Protos.u32(fiveXx > 0 ? 100 : 0));
        } else {
            out.setEnforcingConsecutive5Xx(Protos.u32(0));
        }
        if (o.consecutiveGatewayErrors() != null) {
            out.setConsecutiveGatewayFailure(Protos.u32(o.consecutiveGatewayErrors()))
                    .setEnforcingConsecutiveGatewayFailure(Protos.u32(o.consecutiveGatewayErrors() > 0 ? 100 : 0));
        }
        if (o.splitExternalLocalOriginErrors()) {
            out.setSplitExternalLocalOriginErrors(true);
            if (o.consecutiveLocalOriginFailures() != null) {
                out.setConsecutiveLocalOriginFailure(Protos.u32(o.consecutiveLocalOriginFailures()))
                        .setEnforcingConsecutiveLocalOriginFailure(Protos.u32(100));
            }
        }
        if (o.interval() != null) {
            out.setInterval(Protos.duration(o.interval()));
        }
        if (o.baseEjectionTime() != null) {
            out.setBaseEjectionTime(Protos.duration(o.baseEjectionTime()));
        }
        if (o.maxEjectionPercent() > 0) {
            out.setMaxEjectionPercent(Protos.u32(o.maxEjectionPercent()));
        }
        out.setEnforcingSuccessRate(Protos.u32(0));
        return out.build();
    }

    private static Metadata metadata(MeshService service, String subset, IstioResource<DestinationRule> rule) {
        Struct.Builder istio = Struct.newBuilder();
        if (rule != null) {
            istio.putFields("config", Value.newBuilder().setStringValue("/apis/networking.istio.io/v1/namespaces/"
                    + rule.metadata().namespace() + "/destination-rule/" + rule.metadata().name()).build());
        }
        if (!subset.isEmpty()) {
            istio.putFields("subset", Value.newBuilder().setStringValue(subset).build());
        }
        istio.putFields("services", Value.newBuilder().setListValue(ListValue.newBuilder().addValues(
                Value.newBuilder().setStructValue(Struct.newBuilder()
                        .putFields("host", Value.newBuilder().setStringValue(service.host()).build())
                        .putFields("name", Value.newBuilder().setStringValue(service.name()).build())
                        .putFields("namespace", Value.newBuilder().setStringValue(service.namespace()).build()))))
                .build());
        return Metadata.newBuilder().putFilterMetadata("istio", istio.build()).build();
    }

    /** The parts of a traffic policy that apply to one port: its port-level settings replace the rest. */
    record PortPolicy(LoadBalancerSettings loadBalancer, ConnectionPoolSettings pool, OutlierDetection outlier,
            dev.mesh.api.networking.ClientTLSSettings tlsPolicy) {

        static PortPolicy of(TrafficPolicy policy, int port) {
            if (policy == null) {
                return new PortPolicy(null, null, null, null);
            }
            LoadBalancerSettings lb = policy.loadBalancer();
            ConnectionPoolSettings pool = policy.connectionPool();
            OutlierDetection outlier = policy.outlierDetection();
            dev.mesh.api.networking.ClientTLSSettings tls = policy.tls();
            for (TrafficPolicy.PortTrafficPolicy p : policy.portLevelSettings()) {
                if (p.port() != null && p.port().number() == port) {
                    lb = p.loadBalancer() != null ? p.loadBalancer() : lb;
                    pool = p.connectionPool() != null ? p.connectionPool() : pool;
                    outlier = p.outlierDetection() != null ? p.outlierDetection() : outlier;
                    tls = p.tls() != null ? p.tls() : tls;
                }
            }
            return new PortPolicy(lb, pool, outlier, tls);
        }

        java.time.Duration connectTimeout() {
            return pool != null && pool.tcp() != null && pool.tcp().connectTimeout() != null
                    ? pool.tcp().connectTimeout() : DEFAULT_CONNECT_TIMEOUT;
        }
    }
}
