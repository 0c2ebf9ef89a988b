package dev.mesh.cluster.node;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a Service port to one ready endpoint through the cluster's EndpointSlices, as kube-proxy would route
 * it, with an override map in front for Services whose backend is not a pod of the local cluster (the mesh's own
 * webhook run as a host process during development and tests).
 */
public final class ServiceEndpoints implements WebhookAdmission.ServiceResolver {

    private final KubernetesClient client;
    private final Map<String, InetSocketAddress> overrides;

    /**
     * @param overrides keyed {@code <name>.<namespace>:<port>}, for example {@code injector-webhook.istio-system:443}
     */
    public ServiceEndpoints(KubernetesClient client, Map<String, InetSocketAddress> overrides) {
        this.client = client;
        this.overrides = Map.copyOf(overrides);
    }

    /** The override key of a Service port. */
    public static String key(String namespace, String name, int port) {
        return name + "." + namespace + ":" + port;
    }

    @Override
    public Optional<InetSocketAddress> resolve(String namespace, String name, int port) {
        InetSocketAddress override = overrides.get(key(namespace, name, port));
        if (override != null) {
            return Optional.of(override);
        }
        Service service = client.services().inNamespace(namespace).withName(name).get();
        if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
            return Optional.empty();
        }
        ServicePort servicePort = service.getSpec().getPorts().stream()
                .filter(p -> p.getPort() != null && p.getPort() == port).findFirst().orElse(null);
        if (servicePort == null) {
            return Optional.empty();
        }
        for (EndpointSlice slice : client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", name).list().getItems()) {
            Integer target = targetPort(slice, servicePort);
            if (target == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                if (ready && endpoint.getAddresses() != null && !endpoint.getAddresses().isEmpty()) {
                    return Optional.of(new InetSocketAddress(endpoint.getAddresses().get(0), target));
                }
            }
        }
        return Optional.empty();
    }

    /** The slice's port for the Service port: by name when the Service port has one, else the only port. */
    private static Integer targetPort(EndpointSlice slice, ServicePort servicePort) {
        if (slice.getPorts() == null) {
            return null;
        }
        for (EndpointPort p : slice.getPorts()) {
            String name = servicePort.getName() == null ? "" : servicePort.getName();
            if (name.equals(p.getName() == null ? "" : p.getName())) {
                return p.getPort();
            }
        }
        if (slice.getPorts().size() == 1 && servicePort.getTargetPort() != null) {
            IntOrString t = servicePort.getTargetPort();
            return t.getIntVal() != null ? t.getIntVal() : slice.getPorts().get(0).getPort();
        }
        return null;
    }
}
