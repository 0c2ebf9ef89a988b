package dev.mesh.proxy.tls;

import dev.mesh.proxy.identity.Pem;
import dev.mesh.proxy.model.StringMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which peer certificates are acceptable by their subject alternative names, from a validation context's
 * {@code match_typed_subject_alt_names} (and the older untyped {@code match_subject_alt_names}): a peer passes
 * when any matcher matches any of its SANs of that type; no matchers accept every peer the root vouches for.
 */
public record SanPolicy(List<Rule> rules) {

    /** One matcher; {@code type == null} matches SANs of any type (the untyped form). */
    public record Rule(SubjectAltNameMatcher.SanType type, StringMatcher matcher) {
        @Override
        public String toString() {
            return (type == null ? "any SAN" : type.name()) + " " + matcher.kind().name().toLowerCase()
                    + " \"" + (matcher.regex() != null ? matcher.regex().pattern() : matcher.value()) + "\"";
        }
    }

    public static final SanPolicy ANY = new SanPolicy(List.of());

    public SanPolicy {
        rules = List.copyOf(rules);
    }

    public static SanPolicy from(CertificateValidationContext context, String at) {
        List<Rule> rules = new ArrayList<>();
        for (SubjectAltNameMatcher m : context.getMatchTypedSubjectAltNamesList()) {
            if (m.getSanType() == SubjectAltNameMatcher.SanType.SAN_TYPE_UNSPECIFIED
                    || m.getSanType() == SubjectAltNameMatcher.SanType.UNRECOGNIZED) {
                throw new IllegalArgumentException(at + ": subject alt name matcher without a SAN type");
            }
            rules.add(new Rule(m.getSanType(), StringMatchers.compile(m.getMatcher(), at + " SAN matcher")));
        }
        for (var m : context.getMatchSubjectAltNamesList()) {
            rules.add(new Rule(null, StringMatchers.compile(m, at + " SAN matcher")));
        }
        return new SanPolicy(rules);
    }

    /** SPIFFE ids expected exactly (an upstream's service accounts). */
    public static SanPolicy exactUris(List<String> uris) {
        return new SanPolicy(uris.stream().map(u -> new Rule(SubjectAltNameMatcher.SanType.URI,
                new StringMatcher(StringMatcher.Kind.EXACT, u, null, false))).toList());
    }

    public boolean accepts(X509Certificate peer) {
        if (rules.isEmpty()) {
            return true;
        }
        List<List<?>> sans = sans(peer);
        for (Rule rule : rules) {
            for (List<?> san : sans) {
                if (typeMatches(rule.type(), (Integer) san.get(0)) && san.get(1) instanceof String value
                        && rule.matcher().matches(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean typeMatches(SubjectAltNameMatcher.SanType type, int x509Type) {
        if (type == null) {
            return true;
        }
        return switch (type) {
            case EMAIL -> x509Type == 1;
            case DNS -> x509Type == 2;
            case URI -> x509Type == 6;
            case IP_ADDRESS -> x509Type == 7;
            default -> false;
        };
    }

    private static List<List<?>> sans(X509Certificate peer) {
        try {
            Collection<List<?>> all = peer.getSubjectAlternativeNames();
            return all == null ? List.of() : List.copyOf(all);
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** For error messages: what the peer presented. */
    static String describe(X509Certificate peer) {
        List<String> uris = Pem.uriSans(peer);
        List<String> dns = Pem.dnsSans(peer);
        return "URI " + uris + ", DNS " + dns + ", subject \"" + peer.getSubjectX500Principal().getName() + "\"";
    }
}
