package dev.mesh.proxy.model;

import java.util.Locale;
import java.util.regex.Pattern;

/** Envoy's StringMatcher: one of exact, prefix, suffix, contains or a full-match regex. */
public record StringMatcher(Kind kind, String value, Pattern regex, boolean ignoreCase) {

    public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, REGEX }

    public boolean matches(String input) {
        if (input == null) {
            return false;
        }
        if (kind == Kind.REGEX) {
            return regex.matcher(input).matches();
        }
        String in = ignoreCase ? input.toLowerCase(Locale.ROOT) : input;
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        return switch (kind) {
            case EXACT -> in.equals(v);
            case PREFIX -> in.startsWith(v);
            case SUFFIX -> in.endsWith(v);
            case CONTAINS -> in.contains(v);
            case REGEX -> false;
        };
    }
}
