package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mesh.cluster.api.LocalApiServer;
import dev.mesh.cluster.api.MutatingAdmission;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The local API server's mutating admission: {@link WebhookAdmission} with webhook Services resolved from the API
 * server's own store (admission runs inside a request, so it must not call back through the API).
 */
public final class StoredAdmission implements MutatingAdmission {

    private final WebhookAdmission webhooks;

    private StoredAdmission(WebhookAdmission webhooks) {
        this.webhooks = webhooks;
    }

    /** Admission for {@code api}, with Service-port overrides as {@link ServiceEndpoints} takes them. */
    public static StoredAdmission over(LocalApiServer api, Map<String, InetSocketAddress> overrides) {
        ServiceEndpoints.Lookup lookup = new ServiceEndpoints.Lookup() {
            @Override
            public JsonNode service(String namespace, String name) {
                return api.stored("/api/v1/namespaces/" + namespace + "/services/" + name);
            }

            @Override
            public List<JsonNode> endpointSlices(String namespace, String service) {
                return api.storedItems("/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices",
                        "labelSelector=" + URLEncoder.encode("kubernetes.io/service-name=" + service,
                                StandardCharsets.UTF_8));
            }
        };
        return new StoredAdmission(new WebhookAdmission(new ServiceEndpoints(lookup, overrides)));
    }

    @Override
    public Result admit(String group, String version, String kind, String resource, String namespace, JsonNode object,
            JsonNode namespaceObject, List<JsonNode> configurations) {
        WebhookAdmission.Outcome outcome = webhooks.admit(new WebhookAdmission.Request(group, version, kind, resource,
                "CREATE", namespace, object, null, "mesh-local-admin"), namespaceObject, configurations);
        if (outcome instanceof WebhookAdmission.Outcome.Rejected rejected) {
            return new Result.Rejected(rejected.code(), rejected.message());
        }
        return new Result.Admitted(((WebhookAdmission.Outcome.Admitted) outcome).object());
    }
}
