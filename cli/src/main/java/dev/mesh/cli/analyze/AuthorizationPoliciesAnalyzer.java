package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.Manifest;
import dev.mesh.api.security.AuthorizationPolicy;
import dev.mesh.api.security.Rule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Istio's {@code auth.AuthorizationPoliciesAnalyzer}, its IST0101 part: every namespace a rule's sources name
 * ({@code namespaces} and {@code notNamespaces}, with {@code *} at either end as a wildcard) matches some known
 * namespace (IST0101 "namespace"), else the rule is about traffic that cannot exist. A namespace is known when a
 * Namespace object defines it, or when some object lives in it: offline, the files rarely include the Namespaces.
 * Whether a policy's selector matches workloads (IST0127) is not checked.
 */
public final class AuthorizationPoliciesAnalyzer implements Analyzer {

    @Override
    public void analyze(AnalysisContext context, Reporter reporter) {
        Set<String> namespaces = new LinkedHashSet<>();
        for (Manifest m : context.resources()) {
            if (m.kindName().equals("Namespace")) {
                namespaces.add(m.metadata().name());
            } else if (!m.metadata().namespace().isEmpty()) {
                namespaces.add(m.metadata().namespace());
            }
        }
        for (IstioResource<AuthorizationPolicy> policy : context.of(Kind.AUTHORIZATION_POLICY)) {
            for (Rule rule : policy.spec().rules()) {
                for (Rule.From from : rule.from()) {
                    if (from.source() == null) {
                        continue;
                    }
                    List<String> named = new ArrayList<>(from.source().namespaces());
                    named.addAll(from.source().notNamespaces());
                    for (String pattern : named) {
                        if (namespaces.stream().noneMatch(ns -> matches(pattern, ns))) {
                            reporter.report(Messages.referencedResourceNotFound(policy, "namespace", pattern));
                        }
                    }
                }
            }
        }
    }

    /** {@code *}, {@code *suffix}, {@code prefix*} or an exact name (without regard to case), as Istio matches them. */
    static boolean matches(String pattern, String namespace) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*")) {
            return namespace.endsWith(pattern.substring(1));
        }
        if (pattern.endsWith("*")) {
            return namespace.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.toLowerCase(Locale.ROOT).equals(namespace.toLowerCase(Locale.ROOT));
    }
}
