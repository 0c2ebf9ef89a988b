package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which resources the API serves: the built-in kinds the mesh and the walkthrough use, and every
 * custom resource whose CRD is stored. Serves discovery ({@code /api}, {@code /apis}, the
 * per-version APIResourceLists) from the same list that routes requests, so both always agree.
 */
final class ResourceCatalog {

    /** {@code group version plural singular Kind N|C shortNames categories subresources} ("-" for none). */
    private static final String BUILT_INS = """
            - v1 pods pod Pod N po all status,log,eviction,binding
            - v1 services service Service N svc all status,proxy
            - v1 endpoints endpoints Endpoints N ep - -
            - v1 namespaces namespace Namespace C ns - status,finalize
            - v1 configmaps configmap ConfigMap N cm - -
            - v1 secrets secret Secret N - - -
            - v1 serviceaccounts serviceaccount ServiceAccount N sa - token
            - v1 nodes node Node C no - status
            - v1 events event Event N ev - -
            - v1 persistentvolumeclaims persistentvolumeclaim PersistentVolumeClaim N pvc - status
            - v1 resourcequotas resourcequota ResourceQuota N quota - status
            - v1 limitranges limitrange LimitRange N limits - -
            - v1 replicationcontrollers replicationcontroller ReplicationController N rc all status,scale
            apps v1 deployments deployment Deployment N deploy all status,scale
            apps v1 replicasets replicaset ReplicaSet N rs all status,scale
            apps v1 statefulsets statefulset StatefulSet N sts all status,scale
            apps v1 daemonsets daemonset DaemonSet N ds all status
            apps v1 controllerrevisions controllerrevision ControllerRevision N - - -
            batch v1 jobs job Job N - all status
            batch v1 cronjobs cronjob CronJob N cj all status
            autoscaling v2 horizontalpodautoscalers horizontalpodautoscaler HorizontalPodAutoscaler N hpa all status
            autoscaling v1 horizontalpodautoscalers horizontalpodautoscaler HorizontalPodAutoscaler N hpa all status
            policy v1 poddisruptionbudgets poddisruptionbudget PodDisruptionBudget N pdb - status
            discovery.k8s.io v1 endpointslices endpointslice EndpointSlice N - - -
            coordination.k8s.io v1 leases lease Lease N - - -
            networking.k8s.io v1 ingresses ingress Ingress N ing - status
            networking.k8s.io v1 networkpolicies networkpolicy NetworkPolicy N netpol - -
            networking.k8s.io v1 ingressclasses ingressclass IngressClass C - - -
            admissionregistration.k8s.io v1 mutatingwebhookconfigurations mutatingwebhookconfiguration MutatingWebhookConfiguration C - api-extensions -
            admissionregistration.k8s.io v1 validatingwebhookconfigurations validatingwebhookconfiguration ValidatingWebhookConfiguration C - api-extensions -
            rbac.authorization.k8s.io v1 roles role Role N - - -
            rbac.authorization.k8s.io v1 rolebindings rolebinding RoleBinding N - - -
            rbac.authorization.k8s.io v1 clusterroles clusterrole ClusterRole C - - -
            rbac.authorization.k8s.io v1 clusterrolebindings clusterrolebinding ClusterRoleBinding C - - -
            authentication.k8s.io v1 tokenreviews tokenreview TokenReview C - - -
            authentication.k8s.io v1 selfsubjectreviews selfsubjectreview SelfSubjectReview C - - -
            authorization.k8s.io v1 selfsubjectaccessreviews selfsubjectaccessreview SelfSubjectAccessReview C - - -
            authorization.k8s.io v1 subjectaccessreviews subjectaccessreview SubjectAccessReview C - - -
            apiextensions.k8s.io v1 customresourcedefinitions customresourcedefinition CustomResourceDefinition C crd,crds api-extensions status
            """;

    /** Kinds that only answer POST (reviews): no get, list or watch. */
    private static final Set<String> CREATE_ONLY = Set.of("TokenReview", "SelfSubjectReview", "SelfSubjectAccessReview",
            "SubjectAccessReview");

    static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final List<ResourceType> builtIns;
    private final Store store;
    private volatile List<ResourceType> custom;

    ResourceCatalog(Store store) {
        this.store = store;
        List<ResourceType> list = new ArrayList<>();
        for (String line : BUILT_INS.strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            list.add(new ResourceType(f[0].equals("-") ? "" : f[0], f[1], f[2], f[3], f[4], f[5].equals("N"),
                    words(f[6]), words(f[7]), new LinkedHashSet<>(words(f[8])), List.of(), false));
        }
        this.builtIns = List.copyOf(list);
    }

    private static List<String> words(String s) {
        return s.equals("-") ? List.of() : Arrays.asList(s.split(","));
    }

    /** Forget the cached CRDs; the next lookup reads them again (after any write to a CRD). */
    void invalidate() {
        custom = null;
    }

    List<ResourceType> all() {
        List<ResourceType> out = new ArrayList<>(builtIns);
        out.addAll(customTypes());
        return out;
    }

    Optional<ResourceType> find(String group, String version, String plural) {
        for (ResourceType t : builtIns) {
            if (t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural)) {
                return Optional.of(t);
            }
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            for (ResourceType t : customTypes()) {
                if (t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural)) {
                    return Optional.of(t);
                }
            }
            invalidate();
        }
        return Optional.empty();
    }

    /** The type of {@code kind} in {@code apiVersion}, as objects name themselves. */
    Optional<ResourceType> findKind(String apiVersion, String kind) {
        return all().stream().filter(t -> t.groupVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
    }

    boolean createOnly(ResourceType t) {
        return CREATE_ONLY.contains(t.kind());
    }

    private List<ResourceType> customTypes() {
        List<ResourceType> c = custom;
        if (c == null) {
            c = readCrds();
            custom = c;
        }
        return c;
    }

    private List<ResourceType> readCrds() {
        List<ResourceType> out = new ArrayList<>();
        for (JsonNode crd : store.list(CRD_PATH, "").path("items")) {
            JsonNode spec = crd.path("spec");
            if (crd.path("metadata").has("deletionTimestamp")) {
                continue;
            }
            JsonNode names = spec.path("names");
            for (JsonNode v : spec.path("versions")) {
                if (!v.path("served").asBoolean(true)) {
                    continue;
                }
                Set<String> subs = new LinkedHashSet<>();
                v.path("subresources").fieldNames().forEachRemaining(subs::add);
                List<ResourceType.PrinterColumn> cols = new ArrayList<>();
                for (JsonNode c : v.path("additionalPrinterColumns")) {
                    cols.add(new ResourceType.PrinterColumn(c.path("name").asText(), c.path("type").asText("string"),
                            c.path("format").asText(""), c.path("description").asText(""), c.path("priority").asInt(0),
                            c.path("jsonPath").asText()));
                }
                out.add(new ResourceType(spec.path("group").asText(), v.path("name").asText(), names.path("plural").asText(),
                        names.path("singular").asText(names.path("kind").asText().toLowerCase()), names.path("kind").asText(),
                        !"Cluster".equals(spec.path("scope").asText()), texts(names.path("shortNames")),
                        texts(names.path("categories")), subs, List.copyOf(cols), true));
            }
        }
        return List.copyOf(out);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ---- discovery documents ----

    ObjectNode apiVersions(String serverAddress) {
        ObjectNode n = Store.JSON.createObjectNode();
        n.put("kind", "APIVersions");
        n.putArray("versions").add("v1");
        n.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return n;
    }

    ObjectNode apiGroupList() {
        ObjectNode n = Store.JSON.createObjectNode();
        n.put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = n.putArray("groups");
        for (Map.Entry<String, List<String>> g : groupVersions().entrySet()) {
            if (!g.getKey().isEmpty()) {
                groups.add(apiGroup(g.getKey(), g.getValue()));
            }
        }
        return n;
    }

    /** The APIGroup document of {@code group}, or empty when no resource is served in it. */
    Optional<ObjectNode> apiGroup(String group) {
        List<String> versions = groupVersions().get(group);
        return versions == null || group.isEmpty() ? Optional.empty() : Optional.of(apiGroup(group, versions));
    }

    private ObjectNode apiGroup(String group, List<String> versions) {
        ObjectNode g = Store.JSON.createObjectNode();
        g.put("kind", "APIGroup").put("apiVersion", "v1");
        g.put("name", group);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) {
            vs.addObject().put("groupVersion", group + "/" + v).put("version", v);
        }
        g.putObject("preferredVersion").put("groupVersion", group + "/" + versions.get(0)).put("version", versions.get(0));
        return g;
    }

    /** Groups in discovery order, each with its versions, most preferred first. */
    private Map<String, List<String>> groupVersions() {
        Map<String, Set<String>> raw = new LinkedHashMap<>();
        for (ResourceType t : all()) {
            raw.computeIfAbsent(t.group(), k -> new LinkedHashSet<>()).add(t.version());
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        raw.forEach((g, vs) -> out.put(g, vs.stream().sorted(VERSION_PRIORITY).toList()));
        return out;
    }

    /** The APIResourceList of {@code groupVersion}, or empty when nothing is served there. */
    Optional<ObjectNode> apiResourceList(String group, String version) {
        List<ResourceType> types = all().stream().filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
        if (types.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode n = Store.JSON.createObjectNode();
        n.put("kind", "APIResourceList").put("apiVersion", "v1");
        n.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = n.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = resources.addObject();
            r.put("name", t.plural()).put("singularName", t.singular()).put("namespaced", t.namespaced()).put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            if (createOnly(t)) {
                verbs.add("create");
            } else {
                List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch").forEach(verbs::add);
            }
            if (!t.shortNames().isEmpty()) {
                ArrayNode s = r.putArray("shortNames");
                t.shortNames().forEach(s::add);
            }
            if (!t.categories().isEmpty()) {
                ArrayNode c = r.putArray("categories");
                t.categories().forEach(c::add);
            }
            for (String sub : t.subresources()) {
                ObjectNode s = resources.addObject();
                s.put("name", t.plural() + "/" + sub).put("singularName", "").put("namespaced", t.namespaced());
                switch (sub) {
                    case "scale" -> s.put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                    case "token" -> s.put("group", "authentication.k8s.io").put("version", "v1").put("kind", "TokenRequest");
                    case "log", "proxy" -> s.put("kind", t.kind());
                    case "eviction" -> s.put("group", "policy").put("version", "v1").put("kind", "Eviction");
                    case "binding" -> s.put("kind", "Binding");
                    default -> s.put("kind", t.kind());
                }
                ArrayNode sv = s.putArray("verbs");
                switch (sub) {
                    case "log" -> sv.add("get");
                    case "token", "eviction", "binding" -> sv.add("create");
                    case "finalize" -> sv.add("update");
                    default -> List.of("get", "patch", "update").forEach(sv::add);
                }
            }
        }
        return Optional.of(n);
    }

    // ---- OpenAPI v3: only what kubectl reads from it (which PATCH endpoints take fieldValidation) ----

    ObjectNode openApiV3Root() {
        ObjectNode root = Store.JSON.createObjectNode();
        ObjectNode paths = root.putObject("paths");
        for (Map.Entry<String, List<String>> g : groupVersions().entrySet()) {
            for (String v : g.getValue()) {
                String key = g.getKey().isEmpty() ? "api/" + v : "apis/" + g.getKey() + "/" + v;
                paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + Integer.toHexString(
                        Math.abs(openApiV3(g.getKey(), v).map(Object::toString).orElse("").hashCode())));
            }
        }
        return root;
    }

    /** The OpenAPI v3 document of one group version: its PATCH operations, each with fieldValidation. */
    Optional<ObjectNode> openApiV3(String group, String version) {
        List<ResourceType> types = all().stream()
                .filter(t -> t.group().equals(group) && t.version().equals(version) && !createOnly(t)).toList();
        if (types.isEmpty() && groupVersions().getOrDefault(group, List.of()).stream().noneMatch(version::equals)) {
            return Optional.empty();
        }
        ObjectNode doc = Store.JSON.createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", ApiHandler.VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : types) {
            ObjectNode patch = paths.putObject(t.objectPath(t.namespaced() ? "{namespace}" : null, "{name}")).putObject("patch");
            patch.put("operationId", "patch" + t.kind());
            patch.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version())
                    .put("kind", t.kind());
            patch.put("x-kubernetes-action", "patch");
            ArrayNode params = patch.putArray("parameters");
            for (String q : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
                params.addObject().put("name", q).put("in", "query").putObject("schema").put("type", "string");
            }
            patch.putObject("responses").putObject("200").put("description", "OK");
        }
        doc.putObject("components").putObject("schemas");
        return Optional.of(doc);
    }

    private static final Pattern KUBE_VERSION = Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?");

    /** Kubernetes version priority: GA before beta before alpha, higher numbers first, others last by name. */
    static final Comparator<String> VERSION_PRIORITY = (a, b) -> {
        Matcher ma = KUBE_VERSION.matcher(a);
        Matcher mb = KUBE_VERSION.matcher(b);
        boolean ka = ma.matches();
        boolean kb = mb.matches();
        if (!ka || !kb) {
            return ka ? -1 : kb ? 1 : a.compareTo(b);
        }
        int sa = stability(ma.group(2));
        int sb = stability(mb.group(2));
        if (sa != sb) {
            return Integer.compare(sb, sa);
        }
        int major = Integer.compare(Integer.parseInt(mb.group(1)), Integer.parseInt(ma.group(1)));
        if (major != 0) {
            return major;
        }
        return ma.group(3) == null ? 0 : Integer.compare(Integer.parseInt(mb.group(3)), Integer.parseInt(ma.group(3)));
    };

    private static int stability(String s) {
        return s == null ? 2 : s.equals("beta") ? 1 : 0;
    }
}
