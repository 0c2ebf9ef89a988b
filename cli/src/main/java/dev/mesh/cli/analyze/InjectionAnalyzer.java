package dev.mesh.cli.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mesh.api.KubeResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Istio's {@code injection.Analyzer}. For each Namespace (other than the mesh's own and Kubernetes' system ones):
 * <ul>
 *   <li>more than one way of joining the mesh at once ({@code istio-injection}, {@code istio.io/rev},
 *       {@code istio.io/dataplane-mode}; the last two only count unless {@code istio-injection} opts out) is
 *       IST0123;</li>
 *   <li>an ambient namespace ({@code istio.io/dataplane-mode=ambient}) needs no sidecars and is not checked
 *       further;</li>
 *   <li>a namespace with neither {@code istio-injection} nor {@code istio.io/rev} is not injected (IST0102), unless
 *       the sidecar injector's ConfigMap ({@code istio-sidecar-injector}) sets
 *       {@code sidecarInjectorWebhook.enableNamespacesByDefault}, which is IST0148 instead;</li>
 *   <li>one with {@code istio-injection} other than {@code enabled} was opted out on purpose.</li>
 * </ul>
 * In an injected namespace, a Pod without an {@code istio-proxy} container (or native sidecar init container) is
 * reported (IST0103) unless it opts out ({@code sidecar.istio.io/inject: "false"}) or uses the host network. Only
 * Pod objects are read: a Deployment's template is not yet injected, so it cannot be missing its proxy.
 */
public final class InjectionAnalyzer implements Analyzer {

    static final String INJECTION_LABEL = "istio-injection";
    static final String REVISION_LABEL = "istio.io/rev";
    static final String DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode";
    static final String AMBIENT = "ambient";
    static final String SIDECAR_INJECT = "sidecar.istio.io/inject";
    static final String PROXY_CONTAINER = "istio-proxy";
    static final String INJECTOR_CONFIG_MAP = "istio-sidecar-injector";
    static final Set<String> SKIPPED_NAMESPACES = Stream.concat(Stream.of(AnalysisContext.ISTIO_NAMESPACE),
            AnalysisContext.IGNORED_NAMESPACES.stream()).collect(Collectors.toUnmodifiableSet());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        Set<String> injected = new HashSet<>();
        for (KubeResource ns : context.kube("Namespace")) {
            String name = ns.metadata().name();
            if (SKIPPED_NAMESPACES.contains(name)) {
                continue;
            }
            Map<String, String> labels = ns.metadata().labels();
            String injection = labels.get(INJECTION_LABEL);
            String revision = labels.get(REVISION_LABEL);
            List<String> ways = new ArrayList<>();
            if (injection != null) {
                ways.add(INJECTION_LABEL + "=" + injection);
            }
            for (String label : List.of(REVISION_LABEL, DATAPLANE_MODE_LABEL)) {
                if (labels.containsKey(label) && (injection == null || injection.equals("enabled"))) {
                    ways.add(label + "=" + labels.get(label));
                }
            }
            if (ways.size() > 1) {
                reporter.report(Messages.namespaceMultipleInjectionLabels(ns, ways));
            }
            if (AMBIENT.equals(labels.get(DATAPLANE_MODE_LABEL))) {
                continue;
            }
            boolean hasInjection = injection != null && !injection.isEmpty();
            if (!hasInjection && revision == null) {
                if (enabledByDefault(context)) {
                    reporter.report(Messages.namespaceInjectionEnabledByDefault(ns));
                } else {
                    reporter.report(Messages.namespaceNotInjected(ns));
                }
            } else if (revision != null ? !hasInjection : injection.equals("enabled")) {
                // A revision label alone, or istio-injection=enabled alone: injected. Both at once is IST0123 above,
                // and then it is undefined which injector runs, so the pods are not judged.
                injected.add(name);
            }
        }
        for (Workload pod : context.workloads()) {
            if (!pod.isPod() || !injected.contains(pod.namespace())) {
                continue;
            }
            String inject = pod.resource().metadata().labels().getOrDefault(SIDECAR_INJECT,
                    pod.annotations().getOrDefault(SIDECAR_INJECT, ""));
            if (inject.toLowerCase(Locale.ROOT).equals("false") || pod.hostNetwork()) {
                continue;
            }
            if (!pod.containerNames().contains(PROXY_CONTAINER) && !initContainerNames(pod).contains(PROXY_CONTAINER)) {
                reporter.report(Messages.podMissingProxy(pod.resource()));
            }
        }
    }

    /**
     * Whether the default injector injects namespaces without labels: its ConfigMap's {@code values} JSON sets
     * {@code sidecarInjectorWebhook.enableNamespacesByDefault: true}.
     */
    private static boolean enabledByDefault(AnalysisContext context) {
        Optional<KubeResource> configMap = context.kube("ConfigMap").stream()
                .filter(cm -> cm.metadata().name().equals(INJECTOR_CONFIG_MAP))
                .findFirst();
        if (configMap.isEmpty()) {
            return false;
        }
        String values = configMap.get().raw().path("data").path("values").asText("");
        try {
            JsonNode parsed = JSON.readTree(values);
            return parsed != null && parsed.path("sidecarInjectorWebhook").path("enableNamespacesByDefault")
                    .asBoolean(false);
        } catch (IOException e) {
            // Values that are not JSON say nothing about the default: Istio treats them the same way.
            return false;
        }
    }

    private static List<String> initContainerNames(Workload pod) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : pod.resource().raw().path("spec").path("initContainers")) {
            names.add(c.path("name").asText(""));
        }
        return names;
    }
}
