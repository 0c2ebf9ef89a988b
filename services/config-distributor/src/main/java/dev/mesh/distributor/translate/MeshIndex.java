package dev.mesh.distributor.translate;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.ServiceEntry;
import dev.mesh.api.networking.VirtualService;
import dev.mesh.api.security.AuthorizationPolicy;
import dev.mesh.api.security.PeerAuthentication;
import dev.mesh.api.security.PeerAuthentication.MutualTLS.Mode;
import dev.mesh.api.security.WorkloadSelector;
import dev.mesh.distributor.model.EndpointModel;
import dev.mesh.distributor.model.MeshSnapshot;
import dev.mesh.distributor.model.PodModel;
import dev.mesh.distributor.model.ServiceModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Lookups over one {@link MeshSnapshot} that every proxy's translation needs: built once per
 * snapshot, shared by all proxies, immutable.
 */
public final class MeshIndex {

    public static final String MESH_GATEWAY = "mesh";

    private final MeshSnapshot snapshot;
    private final String domain;
    private final String rootNamespace;
    private final Map<String, MeshService> servicesByHost = new TreeMap<>();
    private final Map<String, List<IstioResource<DestinationRule>>> destinationRulesByHost = new HashMap<>();
    private final Map<String, PodModel> podsByIp = new HashMap<>();
    private final Map<String, List<IstioResource<VirtualService>>> virtualServicesByGateway = new LinkedHashMap<>();
    private final Map<String, List<IstioResource<PeerAuthentication>>> peerAuthenticationsByNamespace = new HashMap<>();
    private final Map<String, List<IstioResource<AuthorizationPolicy>>> authorizationPoliciesByNamespace =
            new HashMap<>();
    private final Map<Object, Object> memo = new java.util.concurrent.ConcurrentHashMap<>();

    public MeshIndex(MeshSnapshot snapshot, String domain, String rootNamespace) {
        this.snapshot = snapshot;
        this.domain = domain;
        this.rootNamespace = rootNamespace;
        for (PodModel p : snapshot.pods().values()) {
            if (!p.ip().isEmpty()) {
                podsByIp.put(p.ip(), p);
            }
        }
        for (ServiceModel s : snapshot.services().values()) {
            servicesByHost.put(s.fqdn(domain),
                    MeshService.of(s, domain, snapshot.endpointsOf(s.key()), this::labelsOf));
        }
        for (IstioResource<ServiceEntry> se : sorted(snapshot.of(Kind.SERVICE_ENTRY))) {
            for (String host : se.spec().hosts()) {
                servicesByHost.putIfAbsent(host, MeshService.of(se, host));
            }
        }
        for (IstioResource<DestinationRule> dr : sorted(snapshot.of(Kind.DESTINATION_RULE))) {
            String host = fqdn(dr.spec().host(), dr.metadata().namespace());
            destinationRulesByHost.computeIfAbsent(host, h -> new ArrayList<>()).add(dr);
        }
        for (IstioResource<PeerAuthentication> pa : sorted(snapshot.of(Kind.PEER_AUTHENTICATION))) {
            peerAuthenticationsByNamespace.computeIfAbsent(pa.metadata().namespace(), n -> new ArrayList<>()).add(pa);
        }
        for (IstioResource<AuthorizationPolicy> ap : sorted(snapshot.of(Kind.AUTHORIZATION_POLICY))) {
            authorizationPoliciesByNamespace.computeIfAbsent(ap.metadata().namespace(), n -> new ArrayList<>())
                    .add(ap);
        }
        for (IstioResource<VirtualService> vs : sorted(snapshot.of(Kind.VIRTUAL_SERVICE))) {
            List<String> gateways = vs.spec().gateways().isEmpty() ? List.of(MESH_GATEWAY) : vs.spec().gateways();
            for (String gateway : gateways) {
                virtualServicesByGateway.computeIfAbsent(gatewayKey(gateway, vs.metadata().namespace()),
                        g -> new ArrayList<>()).add(vs);
            }
        }
    }

    /** Istio's order among resources of a kind: oldest first; here by namespace, then name. */
    static <S> List<IstioResource<S>> sorted(List<IstioResource<S>> resources) {
        return resources.stream().sorted(Comparator.comparing((IstioResource<S> r) -> r.metadata().namespace())
                .thenComparing(r -> r.metadata().name())).toList();
    }

    /**
     * A value computed once per index for {@code key}: translations that many proxies share. The
     * index is immutable, so what is derived from it stays valid as long as it lives. A computation may
     * itself use memo (a proxy's translation asks for service accounts): that is why this is not
     * {@code computeIfAbsent}, which fails on a nested update of the same map. Two threads may both
     * compute a missing value; the first stored wins, and both are equal since the index is immutable.
     */
    @SuppressWarnings("unchecked")
    public <T> T memo(Object key, java.util.function.Supplier<T> compute) {
        Object value = memo.get(key);
        if (value == null) {
            value = compute.get();
            Object earlier = memo.putIfAbsent(key, value);
            if (earlier != null) {
                value = earlier;
            }
        }
        return (T) value;
    }

    public MeshSnapshot snapshot() {
        return snapshot;
    }

    public String domain() {
        return domain;
    }

    /**
     * A host as written in a resource of namespace {@code namespace}, made fully qualified as Istio
     * does: a name without a dot is a Service of that namespace; anything else is taken as written.
     */
    public String fqdn(String host, String namespace) {
        if (host.contains(".") || host.contains("*") || namespace.isEmpty()) {
            return host;
        }
        return host + "." + namespace + ".svc." + domain;
    }

    /** The gateway reference {@code name}, {@code ns/name} or {@code mesh}, as {@code ns/name} or {@code mesh}. */
    public static String gatewayKey(String reference, String namespace) {
        if (reference.equals(MESH_GATEWAY)) {
            return MESH_GATEWAY;
        }
        if (reference.contains("/")) {
            return reference;
        }
        // name.namespace (legacy form) or a bare name in the VirtualService's own namespace
        int dot = reference.indexOf('.');
        return dot > 0 ? reference.substring(dot + 1).split("\\.")[0] + "/" + reference.substring(0, dot)
                : namespace + "/" + reference;
    }

    public Map<String, MeshService> services() {
        return servicesByHost;
    }

    public Optional<MeshService> service(String host) {
        return Optional.ofNullable(servicesByHost.get(host));
    }

    /**
     * The DestinationRule that applies to {@code host} for a proxy in {@code proxyNamespace}: as Istio
     * picks it, the one in the proxy's namespace, else the one in the service's namespace, else the
     * one in the root namespace.
     */
    public Optional<IstioResource<DestinationRule>> destinationRule(String host, String proxyNamespace) {
        List<IstioResource<DestinationRule>> rules = destinationRulesByHost.getOrDefault(host, List.of());
        if (rules.isEmpty()) {
            return Optional.empty();
        }
        String serviceNamespace = service(host).map(MeshService::namespace).orElse("");
        for (String ns : List.of(proxyNamespace, serviceNamespace, rootNamespace)) {
            for (IstioResource<DestinationRule> r : rules) {
                if (r.metadata().namespace().equals(ns)) {
                    return Optional.of(r);
                }
            }
        }
        return rules.stream().filter(r -> r.spec().exportTo().isEmpty() || r.spec().exportTo().contains("*"))
                .findFirst();
    }

    public Optional<PodModel> podByIp(String ip) {
        return Optional.ofNullable(podsByIp.get(ip));
    }

    public Optional<PodModel> pod(String namespace, String name) {
        return Optional.ofNullable(snapshot.pods().get(new dev.mesh.distributor.model.ObjectKey(namespace, name)));
    }

    /** The labels of the pod behind an endpoint: by its target pod, else by its address. */
    public Map<String, String> labelsOf(String namespace, EndpointModel endpoint) {
        Optional<PodModel> pod = endpoint.podName().isEmpty() ? podByIp(endpoint.address())
                : pod(namespace, endpoint.podName());
        return pod.map(PodModel::labels).orElse(Map.of());
    }

    /** The VirtualServices bound to {@code gatewayKey} ({@code ns/name} or {@code mesh}), oldest first. */
    public List<IstioResource<VirtualService>> virtualServices(String gatewayKey) {
        return virtualServicesByGateway.getOrDefault(gatewayKey, List.of());
    }

    /** The Gateways whose selector matches {@code labels}, oldest first. */
    public List<IstioResource<Gateway>> gatewaysFor(Map<String, String> labels) {
        return sorted(snapshot.of(Kind.GATEWAY)).stream()
                .filter(g -> !g.spec().selector().isEmpty()
                        && labels.entrySet().containsAll(g.spec().selector().entrySet()))
                .toList();
    }

    /** The Services whose selector matches a pod in its namespace. */
    public List<ServiceModel> servicesSelecting(PodModel pod) {
        return snapshot.services().values().stream()
                .filter(s -> s.namespace().equals(pod.namespace()) && !s.selector().isEmpty()
                        && pod.labels().entrySet().containsAll(s.selector().entrySet()))
                .sorted(Comparator.comparing(ServiceModel::name))
                .toList();
    }

    // ---- security: PeerAuthentication, AuthorizationPolicy, workload identities ----

    /** The root namespace: policies there without a selector apply mesh-wide. */
    public String rootNamespace() {
        return rootNamespace;
    }

    /**
     * The mutual TLS mode a workload (namespace and labels) accepts on {@code port} (its container
     * port; 0 for the workload-wide mode), with Istio's precedence: the workload's own policy (the
     * oldest whose selector matches), then the namespace's, then the mesh-wide one in the root
     * namespace, then PERMISSIVE. At each level UNSET inherits from the level above; a port-level
     * setting overrides its policy's mode for that port.
     */
    public Mode mtlsMode(String namespace, Map<String, String> labels, int port) {
        List<IstioResource<PeerAuthentication>> own = peerAuthenticationsByNamespace.getOrDefault(namespace, List.of());
        Mode mode = inherit(Mode.PERMISSIVE, namespaceWide(
                peerAuthenticationsByNamespace.getOrDefault(rootNamespace, List.of())));
        mode = inherit(mode, namespaceWide(own));
        for (IstioResource<PeerAuthentication> pa : own) {
            WorkloadSelector selector = pa.spec().selector();
            if (selector != null && !selector.isEmpty()
                    && labels.entrySet().containsAll(selector.matchLabels().entrySet())) {
                mode = inherit(mode, pa.spec());
                PeerAuthentication.MutualTLS portLevel = pa.spec().portLevelMtls().get(port);
                if (port > 0 && portLevel != null && portLevel.mode() != Mode.UNSET) {
                    mode = portLevel.mode();
                }
                break;
            }
        }
        return mode;
    }

    private static PeerAuthentication namespaceWide(List<IstioResource<PeerAuthentication>> policies) {
        return policies.stream().map(IstioResource::spec)
                .filter(p -> p.selector() == null || p.selector().isEmpty()).findFirst().orElse(null);
    }

    private static Mode inherit(Mode parent, PeerAuthentication policy) {
        if (policy == null || policy.mtls() == null || policy.mtls().mode() == Mode.UNSET) {
            return parent;
        }
        return policy.mtls().mode();
    }

    /**
     * The AuthorizationPolicies that apply to a workload: those of the root namespace and of its own
     * namespace whose selector is empty or matches its labels (selector-less root policies apply
     * mesh-wide, as Istio). Oldest first, root namespace first. Policies attached by targetRef (to
     * Gateways and waypoints) are not for sidecars and are left out.
     */
    public List<IstioResource<AuthorizationPolicy>> authorizationPolicies(String namespace,
            Map<String, String> labels) {
        List<IstioResource<AuthorizationPolicy>> out = new ArrayList<>();
        List<String> namespaces = namespace.equals(rootNamespace) ? List.of(namespace)
                : List.of(rootNamespace, namespace);
        for (String ns : namespaces) {
            for (IstioResource<AuthorizationPolicy> ap : authorizationPoliciesByNamespace.getOrDefault(ns, List.of())) {
                AuthorizationPolicy spec = ap.spec();
                if (spec.targetRef() != null || !spec.targetRefs().isEmpty()) {
                    continue;
                }
                WorkloadSelector selector = spec.selector();
                // a root-namespace policy with a selector applies to matching workloads of every namespace
                if (selector == null || selector.isEmpty()
                        || labels.entrySet().containsAll(selector.matchLabels().entrySet())) {
                    out.add(ap);
                }
            }
        }
        return out;
    }

    /** The pod behind an endpoint of a Service of {@code namespace}: by its target pod, else by its address. */
    public Optional<PodModel> podOf(String namespace, MeshService.MeshEndpoint endpoint) {
        return endpoint.podName().isEmpty() ? podByIp(endpoint.address()) : pod(namespace, endpoint.podName());
    }

    /**
     * The identities a client may expect behind {@code service}, as {@code <ns>/sa/<sa>} paths of
     * the SPIFFE id: the service accounts of the pods behind it, sorted and without repeats.
     */
    public List<String> serviceAccounts(MeshService service) {
        return memo(List.of("serviceAccounts", service.host()), () -> {
            TreeSet<String> accounts = new TreeSet<>();
            for (MeshService.MeshEndpoint e : service.endpoints()) {
                podOf(service.namespace(), e).ifPresent(p -> accounts.add("ns/" + p.namespace() + "/sa/"
                        + p.serviceAccount()));
            }
            return List.copyOf(accounts);
        });
    }
}
