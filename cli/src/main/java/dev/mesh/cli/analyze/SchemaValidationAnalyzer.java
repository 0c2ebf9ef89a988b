package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Manifest;
import dev.mesh.api.Problem;

/**
 * Istio's {@code schema.ValidationAnalyzer}: one IST0106 per validation error of each Istio resource, naming the
 * field path. Warnings (such as unknown fields) are not reported. Documents that could not be read at all are
 * not this analyzer's business: the CLI reports them as parse failures, as istioctl does.
 */
public final class SchemaValidationAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        for (Manifest m : context.resources()) {
            if (m instanceof IstioResource<?> r) {
                for (Problem p : r.errors()) {
                    String error = p.path().isEmpty() ? p.message() : p.path() + ": " + p.message();
                    reporter.report(Messages.schemaValidationError(r, error));
                }
            }
        }
    }
}
