package dev.mesh.distributor.model;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A consistent view of everything in the cluster that shapes proxy config, at one moment.
 * Immutable; the translation reads only this.
 *
 * @param version   increases with every snapshot this process makes
 * @param endpoints every endpoint of each Service, merged from all its EndpointSlices
 * @param istio     the valid Istio resources, by kind; invalid ones never get here
 */
public record MeshSnapshot(long version, Map<ObjectKey, ServiceModel> services,
        Map<ObjectKey, List<EndpointModel>> endpoints, Map<ObjectKey, PodModel> pods,
        Map<String, NamespaceModel> namespaces, Map<Kind<?>, List<IstioResource<?>>> istio) {

    public static final MeshSnapshot EMPTY = new MeshSnapshot(0, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    public MeshSnapshot {
        services = Map.copyOf(services);
        endpoints = Map.copyOf(endpoints);
        pods = Map.copyOf(pods);
        namespaces = Map.copyOf(namespaces);
        istio = Map.copyOf(istio);
    }

    @SuppressWarnings("unchecked")
    public <S> List<IstioResource<S>> of(Kind<S> kind) {
        return (List<IstioResource<S>>) (List<?>) istio.getOrDefault(kind, List.of());
    }

    public Optional<ServiceModel> service(String namespace, String name) {
        return Optional.ofNullable(services.get(new ObjectKey(namespace, name)));
    }

    public List<EndpointModel> endpointsOf(ObjectKey service) {
        return endpoints.getOrDefault(service, List.of());
    }
}
