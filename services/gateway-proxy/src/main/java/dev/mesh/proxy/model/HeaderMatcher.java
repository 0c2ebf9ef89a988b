package dev.mesh.proxy.model;

/**
 * Matches one request header (pseudo-headers {@code :method}, {@code :authority}, {@code :path},
 * {@code :scheme} included). A null {@code matcher} means "present" (or, with {@code present == false}, absent).
 */
public record HeaderMatcher(String name, StringMatcher matcher, boolean present, boolean invert) {

    public boolean matches(String headerValue) {
        boolean result = matcher == null ? (headerValue != null) == present : matcher.matches(headerValue);
        return invert != result;
    }
}
