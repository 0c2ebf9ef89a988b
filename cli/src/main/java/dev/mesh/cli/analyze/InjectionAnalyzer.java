package dev.mesh.cli.analyze;

import dev.mesh.api.KubeResource;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Istio's {@code injection.Analyzer}, its IST0102 and IST0103 parts. A Namespace (other than the mesh's own and
 * Kubernetes' system namespaces) with neither {@code istio-injection} nor {@code istio.io/rev} is reported as
 * not injected (IST0102); one with {@code istio-injection} other than {@code enabled} was opted out on purpose.
 * In an injected namespace, a Pod without an {@code istio-proxy} container is reported (IST0103) unless it opts
 * out ({@code sidecar.istio.io/inject: "false"}) or uses the host network. Only Namespace and Pod objects are
 * read: a Deployment's template is not yet injected, so it cannot be missing its proxy.
 */
public final class InjectionAnalyzer implements Analyzer {

    static final String INJECTION_LABEL = "istio-injection";
    static final String REVISION_LABEL = "istio.io/rev";
    static final String SIDECAR_INJECT = "sidecar.istio.io/inject";
    static final String PROXY_CONTAINER = "istio-proxy";
    static final Set<String> SKIPPED_NAMESPACES = Set.of(AnalysisContext.ISTIO_NAMESPACE, "kube-system",
            "kube-public", "kube-node-lease", "local-path-storage");

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        Set<String> injected = new HashSet<>();
        for (KubeResource ns : context.kube("Namespace")) {
            String name = ns.metadata().name();
            if (SKIPPED_NAMESPACES.contains(name)) {
                continue;
            }
            String injection = ns.metadata().labels().getOrDefault(INJECTION_LABEL, "");
            boolean revision = ns.metadata().labels().containsKey(REVISION_LABEL);
            if (injection.isEmpty() && !revision) {
                reporter.report(Messages.namespaceNotInjected(ns));
            } else if (revision || injection.equals("enabled")) {
                // Both labels at once is IST0123 (not implemented); Istio does not treat such a namespace as injected.
                if (!(revision && !injection.isEmpty())) {
                    injected.add(name);
                }
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
            if (!pod.containerNames().contains(PROXY_CONTAINER)) {
                reporter.report(Messages.podMissingProxy(pod.resource()));
            }
        }
    }
}
