package dev.mesh.cli.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.api.Kind;
import dev.mesh.api.Manifest;
import dev.mesh.api.ManifestReader;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads from a live cluster every object the analyzers consume, as {@code istioctl analyze} reads it: cluster-wide
 * (messages are filtered by namespace afterwards, the analysis itself needs every namespace), one paged list call
 * per kind. The Istio kinds ({@code networking.istio.io}, {@code security.istio.io}, {@code telemetry.istio.io})
 * and Gateway API Gateways are read in the first version the API server serves (asked by discovery); a group or
 * version that is not served (its CRD is not installed: 404) is "no objects of that kind", not an error.
 *
 * <p>As istioctl filters them: Namespaces, Services and Pods of Kubernetes' own namespaces
 * ({@link AnalysisContext#IGNORED_NAMESPACES}) are left out; ConfigMaps are read only from the mesh's namespace and
 * only those named {@code istio*}; Secrets of Helm releases and service-account tokens are left out. Workload
 * controllers (Deployments, ...) are not read: the cluster's Pods are the workloads, as in Istio's live analysis.
 */
public final class ClusterReader {

    static final String SOURCE = "(cluster)";
    private static final long PAGE_SIZE = 500;
    private static final Set<String> SKIPPED_SECRET_TYPES =
            Set.of("helm.sh/release.v1", "kubernetes.io/service-account-token");

    /**
     * One kind to read.
     *
     * @param versions the versions to read it in, preferred first; core kinds are always served in their only one
     * @param keep     which of the listed objects the analysis gets
     */
    record Source(String group, String kind, String plural, List<String> versions, boolean namespaced,
            Predicate<JsonNode> keep) {

        boolean core() {
            return group.isEmpty();
        }

        String describe() {
            return core() ? plural : plural + "." + group;
        }
    }

    private final KubernetesClient client;
    private final String meshNamespace;
    private final Map<String, Optional<APIResourceList>> discovery = new HashMap<>();
    private final List<String> notServed = new ArrayList<>();

    /** @param meshNamespace the mesh's own namespace, the only one whose ConfigMaps are read */
    public ClusterReader(KubernetesClient client, String meshNamespace) {
        this.client = client;
        this.meshNamespace = meshNamespace;
    }

    /** Every kind read, in the order read. */
    List<Source> sources() {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source("", "Namespace", "namespaces", List.of("v1"), false,
                o -> !AnalysisContext.IGNORED_NAMESPACES.contains(name(o))));
        sources.add(new Source("", "Service", "services", List.of("v1"), true, ClusterReader::outsideIgnored));
        sources.add(new Source("", "Pod", "pods", List.of("v1"), true, ClusterReader::outsideIgnored));
        sources.add(new Source("", "Node", "nodes", List.of("v1"), false, o -> true));
        sources.add(new Source("", "ConfigMap", "configmaps", List.of("v1"), true,
                o -> name(o).startsWith("istio")));
        sources.add(new Source("", "Secret", "secrets", List.of("v1"), true,
                o -> !SKIPPED_SECRET_TYPES.contains(o.path("type").asText(""))));
        for (Kind<?> kind : Kind.ALL) {
            sources.add(new Source(kind.group(), kind.kind(), kind.plural(), kind.versions(), true, o -> true));
        }
        sources.add(new Source(TelemetrySelectorAnalyzer.TELEMETRY_GROUP, "Telemetry", "telemetries",
                List.of("v1", "v1alpha1"), true, o -> true));
        sources.add(new Source(VirtualServiceGatewayAnalyzer.GATEWAY_API_GROUP, "Gateway", "gateways",
                List.of("v1", "v1beta1"), true, o -> true));
        return sources;
    }

    /**
     * Lists every kind. A kind the cluster does not serve gives no objects ({@link #notServed()} names it); any other
     * failure (unreachable, forbidden, ...) is thrown as the client reported it.
     */
    public List<Manifest> read() {
        List<Manifest> objects = new ArrayList<>();
        for (Source source : sources()) {
            Optional<String> version = servedVersion(source);
            if (version.isEmpty()) {
                notServed.add(source.describe());
                continue;
            }
            String apiVersion = source.core() ? version.get() : source.group() + "/" + version.get();
            List<GenericKubernetesResource> items = list(source, version.get());
            if (items == null) {
                notServed.add(source.describe());
                continue;
            }
            for (GenericKubernetesResource item : items) {
                ObjectNode doc = client.getKubernetesSerialization().convertValue(item, ObjectNode.class);
                // List items of built-in kinds come without apiVersion and kind.
                doc.put("apiVersion", apiVersion);
                doc.put("kind", source.kind());
                if (source.keep().test(doc)) {
                    objects.add(ManifestReader.parse(apiVersion, source.kind(), doc, SOURCE));
                }
            }
        }
        return objects;
    }

    /** The kinds found not served by the last {@link #read()}, as {@code plural.group}. */
    public List<String> notServed() {
        return List.copyOf(notServed);
    }

    /** The first of the kind's versions whose discovery document lists the kind; core kinds are always served. */
    private Optional<String> servedVersion(Source source) {
        if (source.core()) {
            return Optional.of(source.versions().get(0));
        }
        for (String version : source.versions()) {
            String groupVersion = source.group() + "/" + version;
            // null: the API server answered 404, nothing of that group version is served
            Optional<APIResourceList> resources = discovery.computeIfAbsent(groupVersion,
                    gv -> Optional.ofNullable(client.getApiResources(gv)));
            boolean listed = resources.map(APIResourceList::getResources).orElse(List.of()).stream()
                    .map(APIResource::getName)
                    .anyMatch(source.plural()::equals);
            if (listed) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    /** Every object of the kind, page by page; {@code null} if the API server says the kind is not there (404). */
    private List<GenericKubernetesResource> list(Source source, String version) {
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup(source.group())
                .withVersion(version)
                .withKind(source.kind())
                .withPlural(source.plural())
                .withNamespaced(source.namespaced())
                .build();
        var operation = client.genericKubernetesResources(context);
        List<GenericKubernetesResource> items = new ArrayList<>();
        String page = null;
        try {
            do {
                var options = new ListOptionsBuilder().withLimit(PAGE_SIZE).withContinue(page).build();
                GenericKubernetesResourceList list = "ConfigMap".equals(source.kind())
                        ? operation.inNamespace(meshNamespace).list(options)
                        : operation.inAnyNamespace().list(options);
                items.addAll(list.getItems());
                page = list.getMetadata() == null ? null : list.getMetadata().getContinue();
            } while (page != null && !page.isEmpty());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return null;
            }
            throw e;
        }
        return items;
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asText("");
    }

    private static boolean outsideIgnored(JsonNode object) {
        return !AnalysisContext.IGNORED_NAMESPACES.contains(object.path("metadata").path("namespace").asText(""));
    }
}
