package dev.mesh.injection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a pod gets the sidecar and, if so, builds the injected pod and the JSON Patch to it, the way
 * Istio's injector does. A pure function of its inputs, shared by injector-webhook and {@code meshctl kube-inject}.
 *
 * <h2>The decision, in order</h2>
 * <ol>
 *   <li>{@code spec.hostNetwork: true} → skip;</li>
 *   <li>namespace kube-system or kube-public → skip; the mesh's own namespace → skip;</li>
 *   <li>already injected (a container or init container named istio-proxy, or the sidecar.istio.io/status
 *       annotation) → skip;</li>
 *   <li>namespace label {@code istio-injection=disabled} → skip;</li>
 *   <li>the pod's {@code sidecar.istio.io/inject} label, or without a label the annotation: y, yes, true, on
 *       (any case) → inject; any other non-empty value → skip;</li>
 *   <li>namespace label {@code istio-injection=enabled} → inject; else skip.</li>
 * </ol>
 *
 * <h2>The istio-init contract</h2>
 * istio-init runs the proxy image with these arguments (the gateway-proxy's iptables set-up mode reads them as
 * Istio's {@code istio-iptables} does):
 * <pre>
 * istio-iptables -p 15001 -z 15006 -u 1337 -m REDIRECT -i &lt;ranges&gt; -x &lt;ranges&gt; -b &lt;ports&gt;
 *     -d 15090,15021,15020[,&lt;ports&gt;] [-o &lt;ports&gt;] --log_output_level=default:info
 * </pre>
 * {@code -p} outbound capture port, {@code -z} inbound capture port, {@code -u} the proxy's uid (its traffic is
 * never captured), {@code -m} the capture mode, {@code -i}/{@code -x} outbound CIDRs captured / not captured
 * ({@code *} = all; from traffic.sidecar.istio.io/includeOutboundIPRanges and excludeOutboundIPRanges),
 * {@code -b} inbound ports captured ({@code *} = all; includeInboundPorts), {@code -d} inbound ports never
 * captured (the proxy's own, then excludeInboundPorts), {@code -o} outbound ports never captured, present only
 * with excludeOutboundPorts. Lists are comma-separated; an empty list is an empty argument.
 */
public final class Injector {

    public static final String PROXY_NAME = "istio-proxy";
    public static final String INIT_NAME = "istio-init";
    public static final String STATUS_ANNOTATION = "sidecar.istio.io/status";
    public static final String INJECT_KEY = "sidecar.istio.io/inject";
    public static final String NATIVE_SIDECAR_ANNOTATION = "sidecar.istio.io/nativeSidecar";
    public static final String NAMESPACE_LABEL = "istio-injection";
    public static final Set<String> IGNORED_NAMESPACES = Set.of("kube-system", "kube-public");

    static final int PROXY_UID = 1337;
    static final String INBOUND_EXCLUDED_ALWAYS = "15090,15021,15020";
    private static final List<String> VOLUMES = List.of("istio-envoy", "istio-data", "istio-token", "istiod-ca-cert");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Decides and, when the decision is to inject, injects.
     *
     * @throws IllegalArgumentException if the pod is not a JSON object
     */
    public InjectionResult inject(InjectionRequest request, InjectionTemplate template) {
        JsonNode pod = request.pod();
        if (pod == null || !pod.isObject()) {
            throw new IllegalArgumentException("the pod must be a JSON object");
        }
        SkipReason skip = decide(request);
        if (skip != null) {
            return InjectionResult.skipped(skip, pod);
        }
        Map<String, String> annotations = strings(pod.path("metadata").path("annotations"));
        List<String> problems = new ArrayList<>();
        TrafficAnnotations traffic = null;
        try {
            traffic = TrafficAnnotations.from(annotations);
        } catch (InjectionRefusedException e) {
            problems.addAll(e.problems());
        }
        boolean nativeSidecar = template.nativeSidecar();
        String nativeValue = annotations.get(NATIVE_SIDECAR_ANNOTATION);
        if (nativeValue != null) {
            switch (nativeValue.strip().toLowerCase(Locale.ROOT)) {
                case "true" -> nativeSidecar = true;
                case "false" -> nativeSidecar = false;
                default -> problems.add("annotation " + NATIVE_SIDECAR_ANNOTATION + "=\"" + nativeValue
                        + "\": want true or false");
            }
        }
        if (!problems.isEmpty()) {
            return InjectionResult.refused(String.join("; ", problems));
        }
        ObjectNode injected = pod.deepCopy();
        build(injected, request, template.withNativeSidecar(nativeSidecar), traffic);
        return InjectionResult.injected(injected, JsonPatch.diff(pod, injected));
    }

    /** Why the pod is not injected, or null if it is to be. */
    static SkipReason decide(InjectionRequest request) {
        JsonNode pod = request.pod();
        if (pod.path("spec").path("hostNetwork").asBoolean(false)) {
            return SkipReason.HOST_NETWORK;
        }
        if (IGNORED_NAMESPACES.contains(request.namespace())) {
            return SkipReason.IGNORED_NAMESPACE;
        }
        if (request.namespace().equals(request.meshNamespace())) {
            return SkipReason.MESH_NAMESPACE;
        }
        if (alreadyInjected(pod)) {
            return SkipReason.ALREADY_INJECTED;
        }
        if ("disabled".equals(request.namespaceLabels().get(NAMESPACE_LABEL))) {
            return SkipReason.NAMESPACE_DISABLED;
        }
        JsonNode metadata = pod.path("metadata");
        JsonNode selector = metadata.path("labels").get(INJECT_KEY);
        if (selector == null) {
            selector = metadata.path("annotations").get(INJECT_KEY);
        }
        String choice = selector == null || selector.isNull() ? "" : selector.asText().strip().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "y", "yes", "true", "on" -> {
                return null;
            }
            case "" -> {
            }
            default -> {
                return SkipReason.POD_OPT_OUT;
            }
        }
        return "enabled".equals(request.namespaceLabels().get(NAMESPACE_LABEL)) ? null : SkipReason.NOT_REQUESTED;
    }

    static boolean alreadyInjected(JsonNode pod) {
        if (pod.path("metadata").path("annotations").has(STATUS_ANNOTATION)) {
            return true;
        }
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                if (PROXY_NAME.equals(c.path("name").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void build(ObjectNode pod, InjectionRequest request, InjectionTemplate t,
            TrafficAnnotations traffic) {
        ObjectNode metadata = object(pod, "metadata");
        ObjectNode spec = object(pod, "spec");
        List<String> appContainers = new ArrayList<>();
        for (JsonNode c : spec.path("containers")) {
            appContainers.add(c.path("name").asText());
        }
        String workload = request.workloadName() != null ? request.workloadName() : workloadName(metadata);
        ObjectNode labels = object(metadata, "labels");
        ObjectNode annotations = object(metadata, "annotations");
        Map<String, String> podLabels = strings(labels);

        array(spec, "initContainers").add(initContainer(t, traffic));
        ObjectNode proxy = proxyContainer(t, workload, appContainers, strings(annotations));
        if (t.nativeSidecar()) {
            proxy.put("restartPolicy", "Always");
            proxy.set("startupProbe", probe(1, 600));
            array(spec, "initContainers").add(proxy);
        } else {
            array(spec, "containers").add(proxy);
        }
        ArrayNode volumes = array(spec, "volumes");
        volumes.addObject().put("name", "istio-envoy").putObject("emptyDir").put("medium", "Memory");
        volumes.addObject().put("name", "istio-data").putObject("emptyDir");
        ObjectNode token = volumes.addObject().put("name", "istio-token").putObject("projected")
                .putArray("sources").addObject().putObject("serviceAccountToken");
        token.put("audience", "istio-ca").put("expirationSeconds", 43200).put("path", "istio-token");
        volumes.addObject().put("name", "istiod-ca-cert").putObject("configMap").put("name", "istio-ca-root-cert");

        labels.put("security.istio.io/tlsMode", "istio");
        if (!labels.has("service.istio.io/canonical-name")) {
            labels.put("service.istio.io/canonical-name",
                    first(podLabels, workload, "app.kubernetes.io/name", "app"));
        }
        if (!labels.has("service.istio.io/canonical-revision")) {
            labels.put("service.istio.io/canonical-revision",
                    first(podLabels, "latest", "app.kubernetes.io/version", "version"));
        }
        // The pod's labels as the proxy reports them in its node metadata (Istio: ISTIO_METAJSON_LABELS).
        env((ArrayNode) proxy.get("env"), "MESH_PROXY_LABELS", String.join(",", strings(labels).entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue()).toList()));
        if (!annotations.has("kubectl.kubernetes.io/default-container") && !appContainers.isEmpty()) {
            annotations.put("kubectl.kubernetes.io/default-container", appContainers.get(0));
        }
        if (!"false".equals(annotations.path("prometheus.io/scrape").asText())) {
            annotations.put("prometheus.io/path", "/stats/prometheus");
            annotations.put("prometheus.io/port", "15020");
            annotations.put("prometheus.io/scrape", "true");
        }
        annotations.put(STATUS_ANNOTATION, status(t.nativeSidecar()));
    }

    private static ObjectNode initContainer(InjectionTemplate t, TrafficAnnotations traffic) {
        ObjectNode c = NODES.objectNode();
        c.put("name", INIT_NAME).put("image", t.proxyImage()).put("imagePullPolicy", t.imagePullPolicy());
        ArrayNode args = c.putArray("args");
        String excludeInbound = traffic.excludeInboundPorts().isEmpty()
                ? INBOUND_EXCLUDED_ALWAYS : INBOUND_EXCLUDED_ALWAYS + "," + traffic.excludeInboundPorts();
        for (String a : List.of("istio-iptables", "-p", "15001", "-z", "15006", "-u", String.valueOf(PROXY_UID),
                "-m", "REDIRECT", "-i", traffic.includeOutboundIpRanges(), "-x", traffic.excludeOutboundIpRanges(),
                "-b", traffic.includeInboundPorts(), "-d", excludeInbound)) {
            args.add(a);
        }
        if (!traffic.excludeOutboundPorts().isEmpty()) {
            args.add("-o").add(traffic.excludeOutboundPorts());
        }
        args.add("--log_output_level=default:info");
        c.set("resources", t.initResources().deepCopy());
        ObjectNode sc = c.putObject("securityContext");
        sc.put("allowPrivilegeEscalation", false);
        ObjectNode caps = sc.putObject("capabilities");
        caps.putArray("add").add("NET_ADMIN").add("NET_RAW");
        caps.putArray("drop").add("ALL");
        sc.put("privileged", false).put("readOnlyRootFilesystem", false).put("runAsGroup", 0)
                .put("runAsNonRoot", false).put("runAsUser", 0);
        return c;
    }

    private static ObjectNode proxyContainer(InjectionTemplate t, String workload, List<String> appContainers,
            Map<String, String> annotations) {
        ObjectNode c = NODES.objectNode();
        c.put("name", PROXY_NAME).put("image", t.proxyImage()).put("imagePullPolicy", t.imagePullPolicy());
        c.putArray("args").add("proxy").add("sidecar").add("--domain").add("$(POD_NAMESPACE).svc.cluster.local");
        ArrayNode env = c.putArray("env");
        env(env, "CA_ADDR", t.caAddress());
        env(env, "XDS_ADDR", t.xdsAddress());
        fieldEnv(env, "POD_NAME", "metadata.name");
        fieldEnv(env, "POD_NAMESPACE", "metadata.namespace");
        fieldEnv(env, "INSTANCE_IP", "status.podIP");
        fieldEnv(env, "SERVICE_ACCOUNT", "spec.serviceAccountName");
        fieldEnv(env, "HOST_IP", "status.hostIP");
        env(env, "TRUST_DOMAIN", t.trustDomain());
        env(env, "ISTIO_META_CLUSTER_ID", t.clusterId());
        env(env, "ISTIO_META_WORKLOAD_NAME", workload);
        env(env, "ISTIO_META_APP_CONTAINERS", String.join(",", appContainers));
        env(env, "ISTIO_META_INTERCEPTION_MODE", "REDIRECT");
        // gateway-proxy's own settings (docs/configuration.md), from the same values as Istio's names above.
        env(env, "MESH_PROXY_MODE", "sidecar");
        env(env, "MESH_PROXY_DISCOVERY_ADDRESS", t.xdsAddress());
        env(env, "MESH_PROXY_CLUSTER_ID", t.clusterId());
        env(env, "MESH_PROXY_WORKLOAD_NAME", workload);
        fieldEnv(env, "MESH_PROXY_SERVICE_ACCOUNT", "spec.serviceAccountName");
        env(env, "MESH_PROXY_SAVED_CONFIG_PATH", "/var/lib/istio/data/last-acked-config.pb");
        env(env, "MESH_PROXY_IDENTITY_ENABLED", "true");
        env(env, "MESH_PROXY_IDENTITY_CA_ADDRESS", t.caAddress());
        env(env, "MESH_PROXY_IDENTITY_TRUST_DOMAIN", t.trustDomain());
        if (!t.telemetryAddress().isEmpty()) {
            env(env, "MESH_PROXY_TELEMETRY_ADDRESS", t.telemetryAddress());
        }
        Map<String, String> scrape = new LinkedHashMap<>();
        for (String key : List.of("prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path")) {
            if (annotations.containsKey(key)) {
                scrape.put(key.substring("prometheus.io/".length()), annotations.get(key));
            }
        }
        if (!scrape.isEmpty() && !"false".equals(scrape.get("scrape"))) {
            // The app's own scrape settings, which the proxy's merged metrics endpoint (15020) scrapes for it.
            env(env, "ISTIO_PROMETHEUS_ANNOTATIONS", json(scrape));
        }
        c.putArray("ports").addObject().put("containerPort", 15090).put("name", "http-envoy-prom")
                .put("protocol", "TCP");
        c.set("readinessProbe", probe(2, 30));
        c.set("resources", t.proxyResources().deepCopy());
        ObjectNode sc = c.putObject("securityContext");
        sc.put("allowPrivilegeEscalation", false);
        sc.putObject("capabilities").putArray("drop").add("ALL");
        sc.put("privileged", false).put("readOnlyRootFilesystem", true).put("runAsGroup", PROXY_UID)
                .put("runAsNonRoot", true).put("runAsUser", PROXY_UID);
        ArrayNode mounts = c.putArray("volumeMounts");
        mounts.addObject().put("mountPath", "/var/run/secrets/istio").put("name", "istiod-ca-cert");
        mounts.addObject().put("mountPath", "/var/lib/istio/data").put("name", "istio-data");
        mounts.addObject().put("mountPath", "/etc/istio/proxy").put("name", "istio-envoy");
        mounts.addObject().put("mountPath", "/var/run/secrets/tokens").put("name", "istio-token");
        return c;
    }

    private static ObjectNode probe(int periodSeconds, int failureThreshold) {
        ObjectNode p = NODES.objectNode();
        p.putObject("httpGet").put("path", "/healthz/ready").put("port", 15021);
        p.put("initialDelaySeconds", 0).put("periodSeconds", periodSeconds).put("timeoutSeconds", 3)
                .put("failureThreshold", failureThreshold);
        return p;
    }

    /** Istio's sidecar.istio.io/status value: what was injected, so that it can be recognised and removed. */
    private static String status(boolean nativeSidecar) {
        ObjectNode s = NODES.objectNode();
        ArrayNode init = s.putArray("initContainers").add(INIT_NAME);
        if (nativeSidecar) {
            init.add(PROXY_NAME);
            s.putNull("containers");
        } else {
            s.putArray("containers").add(PROXY_NAME);
        }
        ArrayNode volumes = s.putArray("volumes");
        VOLUMES.forEach(volumes::add);
        s.putNull("imagePullSecrets");
        s.put("revision", "default");
        return json(s);
    }

    /**
     * The name of the workload that owns the pod: a ReplicaSet's owner Deployment (the ReplicaSet name without its
     * hash), any other controller's name, else the pod's name or generateName.
     */
    static String workloadName(JsonNode metadata) {
        for (JsonNode owner : metadata.path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false) && owner.hasNonNull("name")) {
                String name = owner.get("name").asText();
                if ("ReplicaSet".equals(owner.path("kind").asText()) && name.lastIndexOf('-') > 0) {
                    return name.substring(0, name.lastIndexOf('-'));
                }
                return name;
            }
        }
        String name = metadata.path("name").asText("");
        if (!name.isEmpty()) {
            return name;
        }
        String generate = metadata.path("generateName").asText("");
        while (generate.endsWith("-")) {
            generate = generate.substring(0, generate.length() - 1);
        }
        return generate.isEmpty() ? "unknown" : generate;
    }

    private static String first(Map<String, String> labels, String fallback, String... keys) {
        for (String key : keys) {
            String v = labels.get(key);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return fallback;
    }

    private static void env(ArrayNode env, String name, String value) {
        env.addObject().put("name", name).put("value", value);
    }

    private static void fieldEnv(ArrayNode env, String name, String fieldPath) {
        env.addObject().put("name", name).putObject("valueFrom").putObject("fieldRef")
                .put("apiVersion", "v1").put("fieldPath", fieldPath);
    }

    /** The child object, made (or made over a non-object, such as {@code annotations: null}) if needed. */
    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        return n instanceof ObjectNode o ? o : parent.putObject(field);
    }

    private static ArrayNode array(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        return n instanceof ArrayNode a ? a : parent.putArray(field);
    }

    /** Text values of a string map node (labels, annotations); other values as their text. */
    static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        if (map.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
            }
        }
        return out;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value, e);
        }
    }
}
