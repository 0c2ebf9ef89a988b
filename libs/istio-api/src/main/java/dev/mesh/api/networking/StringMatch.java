package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/**
 * How a string is matched: exactly one of {@code exact}, {@code prefix} (case-sensitive) or
 * {@code regex} (RE2) is set; the others are "". Istio also accepts an empty match (nothing set).
 */
public record StringMatch(String exact, String prefix, String regex) {

    public StringMatch {
        exact = Fields.str(exact);
        prefix = Fields.str(prefix);
        regex = Fields.str(regex);
    }

    public static StringMatch exact(String value) {
        return new StringMatch(value, "", "");
    }

    public static StringMatch prefix(String value) {
        return new StringMatch("", value, "");
    }

    public static StringMatch regex(String value) {
        return new StringMatch("", "", value);
    }

    /** Nothing set: the match Istio treats as absent. */
    public boolean isEmpty() {
        return exact.isEmpty() && prefix.isEmpty() && regex.isEmpty();
    }

    /** A match where an empty prefix is an error (every use but the URI). */
    public static StringMatch parse(Node node) {
        return parse(node, false, false);
    }

    /**
     * @param emptyPrefixAllowed the URI accepts {@code prefix: ""} (match everything); headers,
     *                           method, scheme, authority and query parameters do not
     * @param starIsPresence     in {@code withoutHeaders}, {@code regex: "*"} means "header present"
     */
    static StringMatch parse(Node node, boolean emptyPrefixAllowed, boolean starIsPresence) {
        StringMatch match = new StringMatch(Fields.string(node, "exact"), Fields.string(node, "prefix"),
                Fields.string(node, "regex"));
        int set = (node.has("exact") ? 1 : 0) + (node.has("prefix") ? 1 : 0) + (node.has("regex") ? 1 : 0);
        if (set > 1) {
            node.error(null, "only one of exact, prefix or regex may be set, got " + describe(match));
        }
        if (node.has("prefix") && match.prefix.isEmpty() && !emptyPrefixAllowed) {
            node.error("prefix", "prefix string match should not be empty");
        }
        if (node.has("regex")) {
            if (match.regex.isEmpty()) {
                node.error("regex", "regex string match should not be empty");
            } else if (!(starIsPresence && match.regex.equals("*"))) {
                Validation.checkRegex(node, "regex", match.regex);
            }
        }
        return match;
    }

    private static String describe(StringMatch m) {
        return "exact=\"" + m.exact + "\", prefix=\"" + m.prefix + "\", regex=\"" + m.regex + "\"";
    }
}
