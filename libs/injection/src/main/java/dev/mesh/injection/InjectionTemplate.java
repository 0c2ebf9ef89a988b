package dev.mesh.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The values the injected containers are built from: what a cluster operator sets (in the ConfigMap the webhook
 * mounts, or in {@code meshctl kube-inject --injectConfigFile}), as opposed to what each pod says in its own
 * annotations.
 *
 * <p>The file form is YAML (or JSON) with the record's component names as keys; every key is optional and falls
 * back to {@link #defaults()}:
 * <pre>
 * proxyImage: ghcr.io/mesh/gateway-proxy:0.1.0
 * imagePullPolicy: IfNotPresent
 * caAddress: citadel-ca.istio-system.svc:8060
 * xdsAddress: config-distributor.istio-system.svc:15012
 * trustDomain: cluster.local
 * clusterId: Kubernetes
 * nativeSidecar: false
 * proxyResources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: "2", memory: 1Gi}}
 * initResources:  {requests: {cpu: 10m, memory: 40Mi}, limits: {cpu: "2", memory: 1Gi}}
 * telemetryAddress: telemetry.istio-system.svc:4317
 * </pre>
 *
 * @param proxyImage     image of both injected containers: gateway-proxy runs {@code proxy sidecar} in istio-proxy
 *                       and its iptables set-up mode in istio-init
 * @param imagePullPolicy Kubernetes pull policy of both containers
 * @param caAddress      host:port of citadel-ca (istio-proxy env {@code CA_ADDR})
 * @param xdsAddress     host:port of config-distributor, Istio's discovery address (istio-proxy env {@code XDS_ADDR})
 * @param trustDomain    SPIFFE trust domain of the workload identities
 * @param clusterId      cluster name proxies report in their node metadata
 * @param nativeSidecar  inject istio-proxy as a Kubernetes native sidecar (init container with
 *                       {@code restartPolicy: Always}, Kubernetes 1.28 or later); a pod's
 *                       {@code sidecar.istio.io/nativeSidecar} annotation overrides it
 * @param proxyResources resources of istio-proxy, in the pod spec's {@code resources} shape
 * @param initResources  resources of istio-init, same shape
 * @param telemetryAddress host:port of the telemetry service's OTLP/gRPC receiver the sidecar exports one span per
 *                       request to; empty (the default): no export
 */
public record InjectionTemplate(String proxyImage, String imagePullPolicy, String caAddress, String xdsAddress,
        String trustDomain, String clusterId, boolean nativeSidecar, JsonNode proxyResources,
        JsonNode initResources, String telemetryAddress) {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> KEYS = Set.of("proxyImage", "imagePullPolicy", "caAddress", "xdsAddress",
            "trustDomain", "clusterId", "nativeSidecar", "proxyResources", "initResources", "telemetryAddress");
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");

    public InjectionTemplate {
        proxyResources = proxyResources.deepCopy();
        initResources = initResources.deepCopy();
    }

    /** The values used when nothing is configured: the control plane in {@code istio-system}. */
    public static InjectionTemplate defaults() {
        return new InjectionTemplate("ghcr.io/mesh/gateway-proxy:0.1.0", "IfNotPresent",
                "citadel-ca.istio-system.svc:8060", "config-distributor.istio-system.svc:15012", "cluster.local",
                "Kubernetes", false, resources("100m", "128Mi", "2", "1Gi"), resources("10m", "40Mi", "2", "1Gi"), "");
    }

    /** The same values with native sidecar mode switched as given. */
    public InjectionTemplate withNativeSidecar(boolean on) {
        return new InjectionTemplate(proxyImage, imagePullPolicy, caAddress, xdsAddress, trustDomain, clusterId, on,
                proxyResources, initResources, telemetryAddress);
    }

    /** The same values with the addresses and trust domain a mesh config gives; null keeps the current one. */
    public InjectionTemplate withMesh(String newTrustDomain, String newXdsAddress, String newCaAddress) {
        return new InjectionTemplate(proxyImage, imagePullPolicy, newCaAddress != null ? newCaAddress : caAddress,
                newXdsAddress != null ? newXdsAddress : xdsAddress,
                newTrustDomain != null ? newTrustDomain : trustDomain, clusterId, nativeSidecar, proxyResources,
                initResources, telemetryAddress);
    }

    /**
     * Reads the file form (see the class comment). Every problem is collected and reported together, each naming
     * the key.
     *
     * @throws InvalidTemplateException if the text is not YAML, or any key is unknown or has a wrong value
     */
    public static InjectionTemplate parse(String text) {
        JsonNode root;
        try {
            root = text.isBlank() ? YAML.createObjectNode() : YAML.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidTemplateException(List.of("not YAML: " + e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new InvalidTemplateException(List.of("the injection values must be a mapping, not " + root.getNodeType()));
        }
        InjectionTemplate d = defaults();
        List<String> errors = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                errors.add("unknown key \"" + key + "\" (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        String pull = text(root, "imagePullPolicy", d.imagePullPolicy, errors);
        if (!PULL_POLICIES.contains(pull)) {
            errors.add("imagePullPolicy: \"" + pull + "\" is not one of Always, IfNotPresent, Never");
        }
        boolean nativeSidecar = d.nativeSidecar;
        JsonNode n = root.get("nativeSidecar");
        if (n != null) {
            if (n.isBoolean()) {
                nativeSidecar = n.booleanValue();
            } else {
                errors.add("nativeSidecar: \"" + n.asText() + "\" is not true or false");
            }
        }
        InjectionTemplate t = new InjectionTemplate(text(root, "proxyImage", d.proxyImage, errors), pull,
                text(root, "caAddress", d.caAddress, errors), text(root, "xdsAddress", d.xdsAddress, errors),
                text(root, "trustDomain", d.trustDomain, errors), text(root, "clusterId", d.clusterId, errors),
                nativeSidecar, res(root, "proxyResources", d.proxyResources, errors),
                res(root, "initResources", d.initResources, errors), telemetryAddress(root, d.telemetryAddress, errors));
        if (!errors.isEmpty()) {
            throw new InvalidTemplateException(errors);
        }
        return t;
    }

    /** {@code telemetryAddress}: empty (no export) or host:port. */
    private static String telemetryAddress(JsonNode root, String fallback, List<String> errors) {
        JsonNode n = root.get("telemetryAddress");
        if (n == null || n.isNull()) {
            return fallback;
        }
        String v = n.asText().trim();
        if (!n.isTextual() || (!v.isEmpty() && !v.matches(".+:\\d{1,5}"))) {
            errors.add("telemetryAddress: \"" + n.asText() + "\" is not host:port (or empty for no export)");
            return fallback;
        }
        return v;
    }

    private static String text(JsonNode root, String key, String fallback, List<String> errors) {
        JsonNode n = root.get(key);
        if (n == null) {
            return fallback;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            errors.add(key + ": must be a non-empty string");
            return fallback;
        }
        return n.asText();
    }

    private static JsonNode res(JsonNode root, String key, JsonNode fallback, List<String> errors) {
        JsonNode n = root.get(key);
        if (n == null) {
            return fallback;
        }
        if (!n.isObject()) {
            errors.add(key + ": must be a mapping with requests and/or limits");
            return fallback;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String part = it.next();
            if (!part.equals("requests") && !part.equals("limits")) {
                errors.add(key + ": unknown key \"" + part + "\" (known: limits, requests)");
            } else if (!n.get(part).isObject()) {
                errors.add(key + "." + part + ": must be a mapping of resource name to quantity");
            } else {
                // Quantities are strings in the pod spec; YAML may have read "2" as a number.
                ObjectNode q = (ObjectNode) n.get(part);
                q.fieldNames().forEachRemaining(name -> q.put(name, q.get(name).asText()));
            }
        }
        return n;
    }

    private static JsonNode resources(String cpuReq, String memReq, String cpuLim, String memLim) {
        ObjectNode r = YAML.createObjectNode();
        r.putObject("limits").put("cpu", cpuLim).put("memory", memLim);
        r.putObject("requests").put("cpu", cpuReq).put("memory", memReq);
        return r;
    }

    /** The injection values are not usable; the message lists every problem. */
    public static final class InvalidTemplateException extends RuntimeException {
        private final List<String> problems;

        public InvalidTemplateException(List<String> problems) {
            super("invalid injection values: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
