package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.KubeResource;
import dev.mesh.api.networking.Gateway;
import dev.mesh.api.networking.Server;
import dev.mesh.api.networking.ServerTLSSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Istio's {@code gateway.SecretAnalyzer}, its IST0101 part: a Gateway selects some gateway pod (IST0101
 * "selector"), and every TLS {@code credentialName} (and each of {@code credentialNames}) of its servers names a
 * Secret in the namespace of that pod, where the gateway reads it (IST0101 "credentialName"). When the selected pods
 * live in several namespaces, the first one found is used, as in Istio. The validity of the Secret's content
 * (IST0161) is not checked.
 */
public final class GatewaySecretAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        Set<String> secrets = new HashSet<>();
        for (KubeResource secret : context.kube("Secret")) {
            secrets.add(secret.metadata().namespace() + "/" + secret.metadata().name());
        }
        for (IstioResource<Gateway> gw : context.gateways()) {
            Optional<String> podNamespace = context.workloads().stream()
                    .filter(w -> Selectors.matches(gw.spec().selector(), w.labels()))
                    .map(Workload::namespace)
                    .findFirst();
            if (podNamespace.isEmpty()) {
                reporter.report(Messages.referencedResourceNotFound(gw, "selector",
                        Selectors.toString(gw.spec().selector())));
                continue;
            }
            for (Server server : gw.spec().servers()) {
                for (String credential : credentials(server.tls())) {
                    if (!secrets.contains(Hosts.fullName(podNamespace.get(), credential))) {
                        reporter.report(Messages.referencedResourceNotFound(gw, "credentialName", credential));
                    }
                }
            }
        }
    }

    private static List<String> credentials(ServerTLSSettings tls) {
        List<String> names = new ArrayList<>();
        if (tls == null) {
            return names;
        }
        if (!tls.credentialName().isEmpty()) {
            names.add(tls.credentialName());
        }
        names.addAll(tls.credentialNames());
        return names;
    }
}
