package dev.mesh.cli.analyze;

/**
 * One check over a snapshot of configuration, as one of Istio's analyzers. Pure: it reads the context and
 * reports; it keeps no state between runs. Analyzers are registered by Istio's names in {@link Analyzers}.
 */
@FunctionalInterface
public interface Analyzer {

    void analyze(AnalysisContext context, Reporter reporter);
}
