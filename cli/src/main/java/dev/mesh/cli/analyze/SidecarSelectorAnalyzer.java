package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.networking.Sidecar;
import java.util.List;
import java.util.Map;

/**
 * Istio's {@code sidecar.SelectorAnalyzer}: a Sidecar with a workload selector selects some workload of its namespace
 * (IST0101 "selector"), and no workload is selected by two Sidecars (IST0110), which would leave it undefined which
 * one applies.
 */
public final class SidecarSelectorAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        List<SelectedWorkloads.Selecting> sidecars = context.of(Kind.SIDECAR).stream()
                .map(s -> new SelectedWorkloads.Selecting(s, labels(s)))
                .toList();
        SelectedWorkloads.check(context, sidecars, Messages::conflictingSidecarWorkloadSelectors, reporter);
    }

    private static Map<String, String> labels(IstioResource<Sidecar> sidecar) {
        return sidecar.spec().workloadSelector() == null ? Map.of() : sidecar.spec().workloadSelector().labels();
    }
}
