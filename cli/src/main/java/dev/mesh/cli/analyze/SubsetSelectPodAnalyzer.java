package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.Subset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's {@code destinationrule.SubsetSelectPodAnalyzer}: a DestinationRule's host resolves to a Service or
 * ServiceEntry visible from the rule's namespace (IST0174), and each of its subsets selects at least one pod of that
 * host (IST0173).
 *
 * <p>A pod counts when it lives in the namespace of the Service (or ServiceEntry) the host resolves to and
 * carries the service's selector (or workloadSelector) labels and the subset's labels, its labels augmented with
 * its node's topology labels as Istio does for endpoints. Pods are Pod objects and the pod templates of
 * Deployments and other controllers. The subsets of a rule whose host resolves to nothing are not checked. No pods
 * known at all means every subset is reported, as Istio does: offline, the files are
 * taken to be the whole configuration.
 */
public final class SubsetSelectPodAnalyzer implements Analyzer {

    static final String REGION = "topology.kubernetes.io/region";
    static final String ZONE = "topology.kubernetes.io/zone";
    static final String SUBZONE = "topology.istio.io/subzone";
    static final String HOSTNAME = "kubernetes.io/hostname";

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        Map<String, Map<String, String>> nodes = context.nodeLabels();
        for (IstioResource<DestinationRule> dr : context.destinationRules()) {
            List<String> exportTo = dr.spec().exportTo();
            Optional<ServiceRegistry.Target> target =
                    context.registry().lookup(dr.metadata().namespace(), exportTo, dr.spec().host());
            if (target.isEmpty()) {
                reporter.report(Messages.unknownDestinationRuleHost(dr, dr.spec().host()));
                continue;
            }
            for (Subset subset : dr.spec().subsets()) {
                Map<String, String> selector = new HashMap<>(target.get().selector());
                selector.putAll(subset.labels());
                boolean selected = context.workloads().stream()
                        .filter(w -> w.namespace().equals(target.get().namespace()))
                        .anyMatch(w -> Selectors.matches(selector, withTopology(w, nodes)));
                if (!selected) {
                    reporter.report(Messages.destinationRuleSubsetNotSelectPods(dr, subset.name()));
                }
            }
        }
    }

    /** The pod's labels plus its node's non-empty region, zone and subzone and its node name. */
    private static Map<String, String> withTopology(Workload pod, Map<String, Map<String, String>> nodes) {
        if (pod.nodeName().isEmpty() || !nodes.containsKey(pod.nodeName())) {
            return pod.labels();
        }
        Map<String, String> labels = new HashMap<>(pod.labels());
        Map<String, String> node = nodes.get(pod.nodeName());
        for (String key : List.of(REGION, ZONE, SUBZONE)) {
            String value = node.getOrDefault(key, "");
            if (!value.isEmpty()) {
                labels.put(key, value);
            }
        }
        labels.put(HOSTNAME, pod.nodeName());
        return labels;
    }
}
