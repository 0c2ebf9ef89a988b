package dev.mesh.cli.analyze;

import dev.mesh.api.Kind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every analyzer, by the name Istio registers its counterpart under ({@code istioctl analyze -L}), and the run of a
 * set of them. Schema validation is one analyzer per kind, {@code schema.ValidationAnalyzer.<Kind>}, as in Istio.
 */
public final class Analyzers {

    private static final Map<String, Analyzer> ALL;

    static {
        Map<String, Analyzer> all = new LinkedHashMap<>();
        for (Kind<?> kind : Kind.ALL) {
            SchemaValidationAnalyzer schema = new SchemaValidationAnalyzer(kind);
            all.put(schema.name(), schema);
        }
        all.put("virtualservice.DestinationHostAnalyzer", new DestinationHostAnalyzer());
        all.put("virtualservice.DestinationRuleAnalyzer", new DestinationRuleAnalyzer());
        all.put("virtualservice.GatewayAnalyzer", new VirtualServiceGatewayAnalyzer());
        all.put("virtualservice.ConflictingMeshGatewayHostsAnalyzer", new ConflictingMeshGatewayHostsAnalyzer());
        all.put("gateway.IngressGatewayPortAnalyzer", new IngressGatewayPortAnalyzer());
        all.put("gateway.ConflictingGatewayAnalyzer", new ConflictingGatewayAnalyzer());
        all.put("gateway.SecretAnalyzer", new GatewaySecretAnalyzer());
        all.put("destinationrule.SubsetSelectPodAnalyzer", new SubsetSelectPodAnalyzer());
        all.put("injection.Analyzer", new InjectionAnalyzer());
        all.put("auth.AuthorizationPoliciesAnalyzer", new AuthorizationPoliciesAnalyzer());
        all.put("sidecar.SelectorAnalyzer", new SidecarSelectorAnalyzer());
        all.put("telemetry.SelectorAnalyzer", new TelemetrySelectorAnalyzer());
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
