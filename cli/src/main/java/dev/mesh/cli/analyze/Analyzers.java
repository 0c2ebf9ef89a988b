package dev.mesh.cli.analyze;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every analyzer, by the name Istio registers its counterpart under, and the run of a set of them. */
public final class Analyzers {

    private static final Map<String, Analyzer> ALL;

    static {
        Map<String, Analyzer> all = new LinkedHashMap<>();
        all.put("schema.ValidationAnalyzer", new SchemaValidationAnalyzer());
        all.put("virtualservice.DestinationHostAnalyzer", new DestinationHostAnalyzer());
        all.put("virtualservice.DestinationRuleAnalyzer", new DestinationRuleAnalyzer());
        all.put("virtualservice.GatewayAnalyzer", new VirtualServiceGatewayAnalyzer());
        all.put("gateway.IngressGatewayPortAnalyzer", new IngressGatewayPortAnalyzer());
        all.put("destinationrule.SubsetSelectPodAnalyzer", new SubsetSelectPodAnalyzer());
        all.put("injection.Analyzer", new InjectionAnalyzer());
        ALL = Collections.unmodifiableMap(all);
    }

    private Analyzers() {
    }

    public static Map<String, Analyzer> all() {
        return ALL;
    }

    public static Optional<Analyzer> byName(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    /** Runs each analyzer over {@code context}; every message, unfiltered and in the order reported. */
    public static List<Message> run(AnalysisContext context, Collection<Analyzer> analyzers) {
        List<Message> messages = new ArrayList<>();
        for (Analyzer analyzer : analyzers) {
            analyzer.analyze(context, messages::add);
        }
        return messages;
    }
}
