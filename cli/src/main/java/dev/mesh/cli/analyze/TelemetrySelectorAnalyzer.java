package dev.mesh.cli.analyze;

import dev.mesh.api.KubeResource;
import java.util.List;
import java.util.Map;

/**
 * Istio's {@code telemetry.SelectorAnalyzer}: a Telemetry ({@code telemetry.istio.io}) with a selector selects some
 * workload of its namespace (IST0101 "selector"), and no workload is selected by two Telemetries (IST0159).
 * Telemetry is read from its raw document: the mesh's API model does not type it.
 */
public final class TelemetrySelectorAnalyzer implements Analyzer {

    static final String TELEMETRY_GROUP = "telemetry.istio.io";

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        List<SelectedWorkloads.Selecting> telemetries = context.kube("Telemetry").stream()
                .filter(t -> t.apiVersion().startsWith(TELEMETRY_GROUP + "/"))
                .map(t -> new SelectedWorkloads.Selecting(t, selector(t)))
                .toList();
        SelectedWorkloads.check(context, telemetries, Messages::conflictingTelemetryWorkloadSelectors, reporter);
    }

    private static Map<String, String> selector(KubeResource telemetry) {
        return Json.stringMap(telemetry.raw().path("spec").path("selector").path("matchLabels"));
    }
}
