package dev.mesh.proxy.model;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/** The match part of an Envoy route: a path rule plus header and query parameter matchers, all must hold. */
public record RouteMatch(PathKind pathKind, String path, Pattern regex, boolean caseSensitive,
        List<HeaderMatcher> headers, List<QueryMatcher> queryParameters) {

    public enum PathKind { PREFIX, EXACT, REGEX }

    /**
     * @param pathAndQuery the request's {@code :path}
     * @param header header lookup, including pseudo-headers
     * @param query query parameter lookup (first value)
     */
    public boolean matches(String pathAndQuery, Function<String, String> header, Function<String, String> query) {
        int q = pathAndQuery.indexOf('?');
        String pathOnly = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        boolean pathOk = switch (pathKind) {
            case PREFIX -> caseSensitive ? pathAndQuery.startsWith(path)
                    : pathAndQuery.toLowerCase(Locale.ROOT).startsWith(path.toLowerCase(Locale.ROOT));
            case EXACT -> caseSensitive ? pathOnly.equals(path) : pathOnly.equalsIgnoreCase(path);
            case REGEX -> regex.matcher(pathOnly).matches();
        };
        if (!pathOk) {
            return false;
        }
        for (HeaderMatcher h : headers) {
            if (!h.matches(header.apply(h.name()))) {
                return false;
            }
        }
        for (QueryMatcher m : queryParameters) {
            if (!m.matches(query.apply(m.name()))) {
                return false;
            }
        }
        return true;
    }
}
