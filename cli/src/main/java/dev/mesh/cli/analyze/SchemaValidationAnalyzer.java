package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.Problem;
import dev.mesh.api.networking.VirtualService;

/**
 * Istio's {@code schema.ValidationAnalyzer.<Kind>}, one per kind: one IST0106 per validation error of each resource of
 * the kind, naming the field path. Warnings (such as unknown fields) are not reported, except those Istio reports
 * with codes of their own: a VirtualService's rules that are never used (IST0130) and its matches that an earlier
 * one already takes (IST0131), see {@link VirtualServiceRules}. Documents that could not be read at all are not
 * this analyzer's business: the CLI reports them as parse failures, as istioctl does.
 */
public final class SchemaValidationAnalyzer implements Analyzer {

    private final Kind<?> kind;

    public SchemaValidationAnalyzer(Kind<?> kind) {
        this.kind = kind;
    }

    /** The name Istio registers this kind's validation under. */
    public String name() {
        return "schema.ValidationAnalyzer." + kind.kind();
    }

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        for (IstioResource<?> r : context.of(kind)) {
            for (Problem p : r.errors()) {
                String error = p.path().isEmpty() ? p.message() : p.path() + ": " + p.message();
                reporter.report(Messages.schemaValidationError(r, error));
            }
            r.as(Kind.VIRTUAL_SERVICE).ifPresent(vs -> VirtualServiceRules.analyze(vs, reporter));
        }
    }
}
