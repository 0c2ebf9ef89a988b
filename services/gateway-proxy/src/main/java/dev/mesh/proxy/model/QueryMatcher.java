package dev.mesh.proxy.model;

/** Matches one query parameter; a null {@code matcher} means "present". */
public record QueryMatcher(String name, StringMatcher matcher) {

    public boolean matches(String paramValue) {
        return matcher == null ? paramValue != null : matcher.matches(paramValue);
    }
}
