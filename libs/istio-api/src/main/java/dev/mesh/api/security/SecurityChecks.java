package dev.mesh.api.security;

import dev.mesh.api.Node;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks shared by the security kinds, with the semantics of Istio's {@code pkg/config/security} and of
 * {@code ValidateAuthorizationPolicy} / {@code ValidateRequestAuthentication}. Each records its errors on
 * the node of the object that holds the field, so the path names the offending list entry.
 */
final class SecurityChecks {

    /** Envoy's valid literal path segment (RFC 3986 pchar) for paths that use {@code {*}} or {@code {**}}. */
    private static final Pattern PATH_LITERAL = Pattern.compile("[a-zA-Z0-9\\-._~%!$&'()+,;:@=]+");
    private static final String MATCH_ONE = "{*}";
    private static final String MATCH_ANY = "{**}";
    private static final int SERVICE_ACCOUNTS_MAX = 16;
    private static final int SERVICE_ACCOUNT_LENGTH_MAX = 320;

    private SecurityChecks() {
    }

    /** {@code selector}, {@code targetRef} and {@code targetRefs} are alternatives: at most one may be set. */
    static void checkOneTargeting(Node node, WorkloadSelector selector, PolicyTargetReference targetRef,
            List<PolicyTargetReference> targetRefs) {
        int set = (selector != null ? 1 : 0) + (targetRef != null ? 1 : 0) + (targetRefs.isEmpty() ? 0 : 1);
        if (set > 1) {
            String field = targetRef != null ? "targetRef" : "targetRefs";
            node.error(field, "only one of selector, targetRef or targetRefs may be set");
        }
    }

    /** Every value of a list must be non-empty: an empty string never matches anything. */
    static boolean checkNonEmptyValues(Node node, String field, List<String> values) {
        boolean ok = true;
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).isEmpty()) {
                node.error(field + "[" + i + "]", "must not be an empty string");
                ok = false;
            }
        }
        return ok;
    }

    /**
     * Istio matches {@code *} only as a whole value, a prefix or a suffix; anywhere else it is compared
     * literally, which is rarely what the author meant.
     */
    static void warnInnerWildcards(Node node, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            int star = value.indexOf('*', 1);
            if (star > 0 && star < value.length() - 1) {
                node.warning(field + "[" + i + "]", "\"" + value + "\" has '*' in the middle; a wildcard matches only"
                        + " at the start or the end of a value, so it is compared literally here");
            }
        }
    }

    /** Each entry must be an IP address or a CIDR range. */
    static void checkIpBlocks(Node node, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            if (value.isEmpty()) {
                continue;
            }
            String problem = IpAddresses.problemWithAddressOrCidr(value);
            if (problem != null) {
                node.error(field + "[" + i + "]", problem);
            }
        }
    }

    /** Each entry must be a port number, 0..65535, written in decimal. */
    static void checkPorts(Node node, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            if (value.isEmpty()) {
                continue;
            }
            if (!isPort(value)) {
                node.error(field + "[" + i + "]", "\"" + value + "\" is not a port: expected a number in 0..65535");
            }
        }
    }

    static boolean isPort(String value) {
        if (value.isEmpty() || value.length() > 5) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(value) <= 65535;
    }

    /**
     * Paths may use the templates {@code {*}} (one segment) and {@code {**}} (the rest, last only); any other
     * brace is an error, and in a templated path every other segment must be a plain literal.
     */
    static void checkPathTemplates(Node node, String field, List<String> paths) {
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            String problem = pathTemplateProblem(path);
            if (problem != null) {
                node.error(field + "[" + i + "]", "invalid path \"" + path + "\": " + problem);
            }
        }
    }

    private static String pathTemplateProblem(String path) {
        boolean templated = path.contains(MATCH_ONE) || path.contains(MATCH_ANY);
        boolean seenMatchAny = false;
        String trimmed = trimSlashes(path);
        for (String segment : trimmed.split("/", -1)) {
            boolean isTemplate = segment.equals(MATCH_ONE) || segment.equals(MATCH_ANY);
            if (isTemplate && seenMatchAny) {
                return "{**} must be the last operator of the path";
            }
            if (isTemplate) {
                seenMatchAny = segment.equals(MATCH_ANY);
                continue;
            }
            if (segment.contains("{") || segment.contains("}")) {
                return "'{' and '}' are only allowed in the templates {*} and {**}";
            }
            if (templated && !PATH_LITERAL.matcher(segment).matches()) {
                return "segment \"" + segment + "\" is not a valid literal in a templated path";
            }
        }
        return null;
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    /**
     * Paths are compared with the request path, which always starts with '/'; a path written without it
     * (and not a wildcard) can never match.
     */
    static void warnRelativePaths(Node node, String field, List<String> paths) {
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            if (!path.isEmpty() && !path.startsWith("/") && !path.startsWith("*")) {
                node.warning(field + "[" + i + "]", "path \"" + path + "\" does not start with '/' or '*', so it"
                        + " never matches a request path");
            }
        }
    }

    /** HTTP methods are matched case-sensitively; a lower-case method never matches a real request. */
    static void warnLowerCaseMethods(Node node, String field, List<String> methods) {
        for (int i = 0; i < methods.size(); i++) {
            String method = methods.get(i);
            if (!method.equals("*") && !method.equals(method.toUpperCase(java.util.Locale.ROOT))) {
                node.warning(field + "[" + i + "]", "method \"" + method + "\" is not upper case; methods are"
                        + " matched exactly, so it never matches (write \""
                        + method.toUpperCase(java.util.Locale.ROOT) + "\")");
            }
        }
    }

    /** Service accounts: at most 16, {@code sa} or {@code namespace/sa}, no wildcard, at most 320 characters. */
    static void checkServiceAccounts(Node node, String field, List<String> values) {
        if (values.size() > SERVICE_ACCOUNTS_MAX) {
            node.error(field, "may not have more than " + SERVICE_ACCOUNTS_MAX + " values, found " + values.size());
        }
        for (int i = 0; i < values.size(); i++) {
            String problem = serviceAccountProblem(values.get(i));
            if (problem != null) {
                node.error(field + "[" + i + "]", problem);
            }
        }
    }

    static String serviceAccountProblem(String value) {
        if (value.isEmpty()) {
            return "must not be an empty string";
        }
        if (value.contains("*")) {
            return "\"" + value + "\": wildcards are not allowed in service accounts";
        }
        if (value.length() > SERVICE_ACCOUNT_LENGTH_MAX) {
            return "\"" + value + "\" is longer than " + SERVICE_ACCOUNT_LENGTH_MAX + " characters";
        }
        int slash = value.indexOf('/');
        if (slash >= 0 && (value.indexOf('/', slash + 1) >= 0 || slash == 0 || slash == value.length() - 1)) {
            return "\"" + value + "\" must be 'serviceAccount' or 'namespace/serviceAccount'";
        }
        return null;
    }
}
