package dev.mesh.cli.analyze;

import dev.mesh.api.Manifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The check Istio's Sidecar and Telemetry selector analyzers share: a resource whose workload selector has labels
 * selects at least one workload of its own namespace (IST0101 "selector"), and no workload is selected by two such
 * resources (reported on each of them, per workload). Resources without selector labels apply namespace-wide and
 * are not checked here.
 */
final class SelectedWorkloads {

    /** One resource and its selector labels. */
    record Selecting(Manifest resource, Map<String, String> labels) {
    }

    /** How a conflict is reported: on {@code resource}, naming all {@code conflicting} and the workload. */
    interface ConflictReport {
        Message on(Manifest resource, List<String> conflicting, String namespace, String workload);
    }

    private SelectedWorkloads() {
    }

    static void check(AnalysisContext context, List<Selecting> resources, ConflictReport conflict, Reporter reporter) {
        Map<Workload, List<Manifest>> selectedBy = new LinkedHashMap<>();
        for (Selecting r : resources) {
            if (r.labels().isEmpty()) {
                continue;
            }
            String ns = r.resource().metadata().namespace();
            boolean found = false;
            for (Workload w : context.workloads()) {
                if (w.namespace().equals(ns) && Selectors.matches(r.labels(), w.labels())) {
                    found = true;
                    selectedBy.computeIfAbsent(w, k -> new ArrayList<>()).add(r.resource());
                }
            }
            if (!found) {
                reporter.report(Messages.referencedResourceNotFound(r.resource(), "selector",
                        Selectors.toString(r.labels())));
            }
        }
        selectedBy.forEach((workload, selecting) -> {
            if (selecting.size() < 2) {
                return;
            }
            List<String> names = selecting.stream().map(m -> m.metadata().name()).toList();
            for (Manifest m : selecting) {
                reporter.report(conflict.on(m, names, workload.namespace(), workload.resource().metadata().name()));
            }
        });
    }
}
