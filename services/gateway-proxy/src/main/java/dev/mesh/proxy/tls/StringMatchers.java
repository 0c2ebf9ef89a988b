package dev.mesh.proxy.tls;

import dev.mesh.proxy.model.StringMatcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Envoy's {@code type.matcher.v3.StringMatcher} proto as the proxy's {@link StringMatcher}. */
public final class StringMatchers {

    private StringMatchers() {
    }

    /**
     * @param at where the matcher is, for the error message (for instance a policy name)
     * @throws IllegalArgumentException for an unset matcher or a regex that does not compile
     */
    public static StringMatcher compile(io.envoyproxy.envoy.type.matcher.v3.StringMatcher proto, String at) {
        boolean ignoreCase = proto.getIgnoreCase();
        return switch (proto.getMatchPatternCase()) {
            case EXACT -> new StringMatcher(StringMatcher.Kind.EXACT, proto.getExact(), null, ignoreCase);
            case PREFIX -> new StringMatcher(StringMatcher.Kind.PREFIX, proto.getPrefix(), null, ignoreCase);
            case SUFFIX -> new StringMatcher(StringMatcher.Kind.SUFFIX, proto.getSuffix(), null, ignoreCase);
            case CONTAINS -> new StringMatcher(StringMatcher.Kind.CONTAINS, proto.getContains(), null, ignoreCase);
            case SAFE_REGEX -> new StringMatcher(StringMatcher.Kind.REGEX, null,
                    regex(proto.getSafeRegex().getRegex(), at), false);
            default -> throw new IllegalArgumentException(at + ": string matcher " + proto.getMatchPatternCase()
                    + " is not supported (use exact, prefix, suffix, contains or safe_regex)");
        };
    }

    static Pattern regex(String regex, String at) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(at + ": regex \"" + regex + "\" does not compile: " + e.getDescription(), e);
        }
    }
}
