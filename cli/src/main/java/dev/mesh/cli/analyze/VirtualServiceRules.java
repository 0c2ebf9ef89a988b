package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.HTTPMatchRequest;
import dev.mesh.api.networking.HTTPRoute;
import dev.mesh.api.networking.StringMatch;
import dev.mesh.api.networking.TCPRoute;
import dev.mesh.api.networking.TLSRoute;
import dev.mesh.api.networking.VirtualService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The rules of a VirtualService that can never take effect, as Istio's validation finds them: a rule after a rule
 * without matches, or whose every match an earlier rule already has, is not used (IST0130); a match that an earlier
 * one already has, or (HTTP) whose URI prefix and other conditions an earlier prefix match covers, is not used
 * (IST0131). Rules are named {@code "name"} when they have a name, else {@code #index}; matches likewise.
 */
final class VirtualServiceRules {

    static final String ONLY_LAST_WITHOUT_MATCHES = "only the last rule can have no matches";
    static final String AFTER_RULE_WITHOUT_MATCHES = "route without matches defined before";
    static final String ALL_MATCHES_USED = "all matches used by prior rules";
    private static final String EXACT = "exact:";
    private static final String PREFIX = "prefix:";

    private VirtualServiceRules() {
    }

    static void analyze(IstioResource<VirtualService> vs, Reporter reporter) {
        VirtualService spec = vs.spec();
        List<PrefixMatch> prefixMatches = new ArrayList<>();
        check(vs, reporter, spec.http(), HTTPRoute::match, (route, i) -> routeName(route.name(), i),
                (match, j) -> routeName(match.name(), j), VirtualServiceRules::withoutName,
                (route, i, match, j) -> prefixMatch(route, i, match, j).ifPresent(prefixMatches::add));
        check(vs, reporter, spec.tcp(), TCPRoute::match, (route, i) -> "#" + i, (match, j) -> "#" + j, m -> m,
                null);
        check(vs, reporter, spec.tls(), TLSRoute::match, (route, i) -> "#" + i, (match, j) -> "#" + j, m -> m,
                null);
        for (int a = 0; a < prefixMatches.size(); a++) {
            PrefixMatch earlier = prefixMatches.get(a);
            for (int b = a + 1; b < prefixMatches.size(); b++) {
                PrefixMatch later = prefixMatches.get(b);
                // identical prefixes are duplicates or differ elsewhere; the duplicate check has had its say
                if (!later.prefix.equals(earlier.prefix) && earlier.covers(later)) {
                    reporter.report(Messages.virtualServiceIneffectiveMatch(vs, later.rule,
                            later.match + " of prefix " + later.prefix,
                            earlier.match + " of prefix " + earlier.prefix + " on " + earlier.rule));
                }
            }
        }
    }

    private interface Namer<T> {
        String name(T value, int index);
    }

    private interface MatchSink<R, M> {
        void accept(R route, int routeIndex, M match, int matchIndex);
    }

    /** The duplicate and order checks, the same for HTTP, TCP and TLS rules. */
    private static <R, M> void check(IstioResource<VirtualService> vs, Reporter reporter, List<R> routes,
            Function<R, List<M>> matchesOf, Namer<R> routeName, Namer<M> matchName, Function<M, Object> key,
            MatchSink<R, M> firstSeen) {
        Map<Object, Integer> seen = new HashMap<>();
        int withoutMatches = -1;
        for (int i = 0; i < routes.size(); i++) {
            R route = routes.get(i);
            List<M> matches = matchesOf.apply(route);
            if (matches.isEmpty()) {
                if (withoutMatches >= 0) {
                    reporter.report(Messages.virtualServiceUnreachableRule(vs, routeName.name(route, i),
                            ONLY_LAST_WITHOUT_MATCHES));
                }
                withoutMatches = i;
                continue;
            }
            int duplicates = 0;
            for (int j = 0; j < matches.size(); j++) {
                M match = matches.get(j);
                if (withoutMatches >= 0) {
                    reporter.report(Messages.virtualServiceUnreachableRule(vs, routeName.name(route, i),
                            AFTER_RULE_WITHOUT_MATCHES));
                    continue;
                }
                Integer earlier = seen.get(key.apply(match));
                if (earlier != null) {
                    reporter.report(Messages.virtualServiceIneffectiveMatch(vs, routeName.name(route, i),
                            matchName.name(match, j), routeName.name(routes.get(earlier), earlier)));
                    duplicates++;
                    continue;
                }
                seen.put(key.apply(match), i);
                if (firstSeen != null) {
                    firstSeen.accept(route, i, match, j);
                }
            }
            if (duplicates == matches.size()) {
                reporter.report(Messages.virtualServiceUnreachableRule(vs, routeName.name(route, i),
                        ALL_MATCHES_USED));
            }
        }
    }

    private static String routeName(String name, int index) {
        return name.isEmpty() ? "#" + index : Messages.quote(name);
    }

    /** What decides whether two HTTP matches are the same: everything but the match's name. */
    private static Object withoutName(HTTPMatchRequest m) {
        return new HTTPMatchRequest("", m.uri(), m.scheme(), m.method(), m.authority(), m.headers(), m.port(),
                m.sourceLabels(), m.gateways(), m.queryParams(), m.ignoreUriCase(), m.withoutHeaders(),
                m.sourceNamespace(), m.statPrefix());
    }

    /**
     * An HTTP match on a URI prefix, with the other conditions the overlap check compares, each as {@code exact:v},
     * {@code prefix:v} or "" (a regex, or nothing). A match without a method matches GET only, as Istio assumes.
     */
    private record PrefixMatch(String rule, String match, String prefix, int port, String method, String authority,
            Map<String, String> headers, Map<String, String> queryParams, Map<String, String> withoutHeaders) {

        /** Whether every request {@code later} matches is matched by this earlier one. */
        boolean covers(PrefixMatch later) {
            if (!later.prefix.startsWith(prefix) || later.port != port) {
                return false;
            }
            if (!method.equals(later.method) && !method.startsWith(later.method)) {
                return false;
            }
            if (!authority.equals(later.authority) && !authority.startsWith(later.authority)) {
                return false;
            }
            return covers(headers, later.headers) && covers(queryParams, later.queryParams)
                    && covers(withoutHeaders, later.withoutHeaders);
        }

        private static boolean covers(Map<String, String> mine, Map<String, String> theirs) {
            if (mine.size() != theirs.size()) {
                return false;
            }
            for (Map.Entry<String, String> e : mine.entrySet()) {
                String other = theirs.get(e.getKey());
                if (other == null || (!e.getValue().equals(other) && !e.getValue().startsWith(other))) {
                    return false;
                }
            }
            return true;
        }
    }

    private static Optional<PrefixMatch> prefixMatch(HTTPRoute route, int routeIndex, HTTPMatchRequest match,
            int matchIndex) {
        if (match.uri() == null || match.uri().prefix().isEmpty()) {
            return Optional.empty();
        }
        String method = exactOrPrefix(match.method());
        return Optional.of(new PrefixMatch(routeName(route.name(), routeIndex),
                routeName(match.name(), matchIndex), match.uri().prefix(), match.port(),
                method.isEmpty() ? EXACT + "GET" : method, exactOrPrefix(match.authority()),
                exactOrPrefix(match.headers()), exactOrPrefix(match.queryParams()),
                exactOrPrefix(match.withoutHeaders())));
    }

    private static String exactOrPrefix(StringMatch m) {
        if (m == null) {
            return "";
        }
        if (!m.exact().isEmpty()) {
            return EXACT + m.exact();
        }
        return m.prefix().isEmpty() ? "" : PREFIX + m.prefix();
    }

    private static Map<String, String> exactOrPrefix(Map<String, StringMatch> matches) {
        Map<String, String> out = new HashMap<>();
        matches.forEach((k, v) -> out.put(k, exactOrPrefix(v)));
        return out;
    }
}
