package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a Service port to one ready endpoint through the cluster's EndpointSlices, as kube-proxy would route
 * it, with an override map in front for Services whose backend is not a pod of the local cluster (the mesh's own
 * webhook run as a host process during development and tests).
 */
public final class ServiceEndpoints implements WebhookAdmission.ServiceResolver {

    /** Where Services and EndpointSlices are read from: the API through a client, or the API server's own store. */
    public interface Lookup {
        /** The Service as JSON, or null. */
        JsonNode service(String namespace, String name);

        /** The EndpointSlices labelled {@code kubernetes.io/service-name=<service>}, as JSON. */
        List<JsonNode> endpointSlices(String namespace, String service);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lookup lookup;
    private final Map<String, InetSocketAddress> overrides;

    /**
     * @param overrides keyed {@code <name>.<namespace>:<port>} (see {@link #key}), for example
     *                  {@code injector-webhook.istio-system:443}
     */
    public ServiceEndpoints(Lookup lookup, Map<String, InetSocketAddress> overrides) {
        this.lookup = lookup;
        this.overrides = Map.copyOf(overrides);
    }

    /** Reads through {@code client}. */
    public ServiceEndpoints(KubernetesClient client, Map<String, InetSocketAddress> overrides) {
        this(new Lookup() {
            @Override
            public JsonNode service(String namespace, String name) {
                Service s = client.services().inNamespace(namespace).withName(name).get();
                return s == null ? null : JSON.valueToTree(s);
            }

            @Override
            public List<JsonNode> endpointSlices(String namespace, String service) {
                return client.discovery().v1().endpointSlices().inNamespace(namespace)
                        .withLabel("kubernetes.io/service-name", service).list().getItems().stream()
                        .map(slice -> (JsonNode) JSON.valueToTree(slice)).toList();
            }
        }, overrides);
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
        JsonNode service = lookup.service(namespace, name);
        if (service == null) {
            return Optional.empty();
        }
        JsonNode servicePort = null;
        for (JsonNode p : service.path("spec").path("ports")) {
            if (p.path("port").asInt() == port) {
                servicePort = p;
            }
        }
        if (servicePort == null) {
            return Optional.empty();
        }
        for (JsonNode slice : lookup.endpointSlices(namespace, name)) {
            Integer target = targetPort(slice, servicePort);
            if (target == null) {
                continue;
            }
            for (JsonNode endpoint : slice.path("endpoints")) {
                boolean ready = endpoint.path("conditions").path("ready").asBoolean(true);
                if (ready && endpoint.path("addresses").size() > 0) {
                    return Optional.of(new InetSocketAddress(endpoint.path("addresses").get(0).asText(), target));
                }
            }
        }
        return Optional.empty();
    }

    /** The slice's port for the Service port: by name (both unnamed counts as a match), else the only port. */
    private static Integer targetPort(JsonNode slice, JsonNode servicePort) {
        JsonNode ports = slice.path("ports");
        String name = servicePort.path("name").asText("");
        for (JsonNode p : ports) {
            if (name.equals(p.path("name").asText("")) && p.has("port")) {
                return p.path("port").asInt();
            }
        }
        if (ports.size() == 1 && ports.get(0).has("port")) {
            return ports.get(0).path("port").asInt();
        }
        return null;
    }
}
