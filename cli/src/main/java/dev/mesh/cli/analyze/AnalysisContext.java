package dev.mesh.cli.analyze;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.KubeResource;
import dev.mesh.api.Manifest;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.ServiceEntry;
import dev.mesh.api.networking.VirtualService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the configuration under analysis, indexed the way analyzers read it. Built from
 * manifests as given: namespaces are not defaulted here (the CLI does it, as {@code kubectl apply -n} would;
 * Istio's test harness does not), and the default ingress gateway is added only on request.
 */
public final class AnalysisContext {

    public static final String ISTIO_NAMESPACE = "istio-system";
    /** Kubernetes' own namespaces, which Istio's analysis leaves alone ({@code inject.IgnoredNamespaces}). */
    public static final Set<String> IGNORED_NAMESPACES =
            Set.of("kube-system", "kube-public", "kube-node-lease", "local-path-storage");
    private static final String DEFAULT_GATEWAY_NAME = "istio-ingressgateway";
    private static final Map<String, String> DEFAULT_GATEWAY_LABELS = Map.of("istio", "ingressgateway");
    private static final int[] DEFAULT_GATEWAY_PORTS = {80, 443, 31400, 15443};

    private final List<Manifest> resources;
    private final List<KubeService> services;
    private final List<Workload> workloads;
    private final ServiceRegistry registry;

    private AnalysisContext(List<Manifest> resources) {
        this.resources = List.copyOf(resources);
        this.services = kube("Service").stream().map(KubeService::from).toList();
        this.workloads = resources.stream()
                .flatMap(m -> m instanceof KubeResource k ? Workload.from(k).stream() : java.util.stream.Stream.empty())
                .toList();
        this.registry = ServiceRegistry.build(of(Kind.SERVICE_ENTRY), services);
    }

    public static AnalysisContext of(Manifests manifests) {
        return new AnalysisContext(manifests.resources());
    }

    /** The snapshot of these objects, e.g. a live cluster's with files over them. */
    public static AnalysisContext of(List<Manifest> objects) {
        return new AnalysisContext(objects);
    }

    /**
     * This snapshot plus the ingress gateway every default install has, as istioctl assumes without a cluster
     * and Istio's analyzer tests do: a Pod {@code istio-system/istio-ingressgateway-...} labelled
     * {@code istio=ingressgateway} and a Service {@code istio-system/istio-ingressgateway} selecting it on ports
     * 80, 443, 31400 and 15443. Each is added only if the manifests do not define their own.
     */
    public AnalysisContext withDefaultIngressGateway() {
        List<Manifest> all = new ArrayList<>(resources);
        boolean hasPod = workloads.stream().anyMatch(w -> ISTIO_NAMESPACE.equals(w.namespace())
                && Selectors.matches(DEFAULT_GATEWAY_LABELS, w.labels()));
        boolean hasService = services.stream().anyMatch(s -> ISTIO_NAMESPACE.equals(s.namespace())
                && DEFAULT_GATEWAY_NAME.equals(s.name()));
        if (!hasPod) {
            all.add(defaultGatewayPod());
        }
        if (!hasService) {
            all.add(defaultGatewayService());
        }
        return new AnalysisContext(all);
    }

    private static KubeResource defaultGatewayPod() {
        ObjectNode pod = ManifestReader.newObject();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", DEFAULT_GATEWAY_NAME + "-default").put("namespace", ISTIO_NAMESPACE);
        DEFAULT_GATEWAY_LABELS.forEach(meta.putObject("labels")::put);
        pod.putObject("spec").putArray("containers").addObject().put("name", "istio-proxy");
        return (KubeResource) ManifestReader.parse("v1", "Pod", pod, "(default ingress gateway)");
    }

    private static KubeResource defaultGatewayService() {
        ObjectNode svc = ManifestReader.newObject();
        svc.put("apiVersion", "v1").put("kind", "Service");
        svc.putObject("metadata").put("name", DEFAULT_GATEWAY_NAME).put("namespace", ISTIO_NAMESPACE);
        ObjectNode spec = svc.putObject("spec");
        DEFAULT_GATEWAY_LABELS.forEach(spec.putObject("selector")::put);
        var ports = spec.putArray("ports");
        for (int port : DEFAULT_GATEWAY_PORTS) {
            ports.addObject().put("port", port).put("protocol", "TCP");
        }
        return (KubeResource) ManifestReader.parse("v1", "Service", svc, "(default ingress gateway)");
    }

    /** Every object, Istio resources and Kubernetes objects alike. */
    public List<Manifest> resources() {
        return resources;
    }

    public <S> List<IstioResource<S>> of(Kind<S> kind) {
        return resources.stream()
                .flatMap(m -> m instanceof IstioResource<?> r ? r.as(kind).stream() : java.util.stream.Stream.empty())
                .toList();
    }

    public List<IstioResource<VirtualService>> virtualServices() {
        return of(Kind.VIRTUAL_SERVICE);
    }

    public List<IstioResource<DestinationRule>> destinationRules() {
        return of(Kind.DESTINATION_RULE);
    }

    public List<IstioResource<Gateway>> gateways() {
        return of(Kind.GATEWAY);
    }

    public List<IstioResource<ServiceEntry>> serviceEntries() {
        return of(Kind.SERVICE_ENTRY);
    }

    /** Kubernetes objects of one kind, for instance {@code Namespace}. */
    public List<KubeResource> kube(String kind) {
        return resources.stream()
                .flatMap(m -> m instanceof KubeResource k && k.kindName().equals(kind)
                        ? java.util.stream.Stream.of(k) : java.util.stream.Stream.empty())
                .toList();
    }

    public List<KubeService> services() {
        return services;
    }

    /** Pods, and the pod templates of workload controllers. */
    public List<Workload> workloads() {
        return workloads;
    }

    /** Services and ServiceEntries by host, with Istio's visibility rules. */
    public ServiceRegistry registry() {
        return registry;
    }

    /** Node labels by node name, for the topology labels Istio adds to endpoints. */
    public Map<String, Map<String, String>> nodeLabels() {
        Map<String, Map<String, String>> nodes = new java.util.HashMap<>();
        for (KubeResource node : kube("Node")) {
            nodes.put(node.metadata().name(), node.metadata().labels());
        }
        return nodes;
    }
}
