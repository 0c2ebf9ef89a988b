package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Header manipulation applied to requests forwarded to, and responses coming from, a destination.
 *
 * @param request  null when absent
 * @param response null when absent
 */
public record Headers(HeaderOperations request, HeaderOperations response) {

    /** Control characters other than tab are not allowed in header values. */
    private static final Pattern HEADER_VALUE = Pattern.compile("[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*");

    /**
     * @param set    headers to overwrite
     * @param add    headers to append
     * @param remove headers to remove
     */
    public record HeaderOperations(Map<String, String> set, Map<String, String> add, List<String> remove) {

        public HeaderOperations {
            set = Fields.map(set);
            add = Fields.map(add);
            remove = Fields.list(remove);
        }

        static HeaderOperations parse(Node node, boolean request) {
            HeaderOperations ops = new HeaderOperations(node.stringMap("set"), node.stringMap("add"),
                    node.strings("remove"));
            for (String op : List.of("set", "add")) {
                Map<String, String> headers = op.equals("set") ? ops.set : ops.add;
                headers.forEach((name, value) -> {
                    String field = op + "." + name;
                    if (request) {
                        checkRequestSetName(node, field, name);
                    } else {
                        checkOperationName(node, field, name);
                    }
                    checkValue(node, field, value);
                });
            }
            for (int i = 0; i < ops.remove.size(); i++) {
                checkOperationName(node, Fields.at("remove", i), ops.remove.get(i));
            }
            return ops;
        }
    }

    public static Headers parse(Node node) {
        return new Headers(node.object("request", n -> HeaderOperations.parse(n, true)),
                node.object("response", n -> HeaderOperations.parse(n, false)));
    }

    /** The value the request's authority is set to, or "" when these operations leave it alone. */
    String requestAuthority() {
        if (request == null) {
            return "";
        }
        for (Map<String, String> headers : List.of(request.set, request.add)) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (isAuthority(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        return "";
    }

    /** Counts how many times these operations set the request's authority. */
    int requestAuthoritySets() {
        if (request == null) {
            return 0;
        }
        int count = 0;
        for (Map<String, String> headers : List.of(request.set, request.add)) {
            for (String name : headers.keySet()) {
                if (isAuthority(name)) {
                    count++;
                }
            }
        }
        return count;
    }

    static boolean isAuthority(String name) {
        return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
    }

    private static void checkRequestSetName(Node node, String field, String name) {
        if (name.isEmpty()) {
            node.error(field, "header name cannot be empty");
        } else if ((name.startsWith(":") || name.equalsIgnoreCase("host")) && !isAuthority(name)) {
            node.error(field, "invalid header \"" + name + "\": header cannot have \":\" prefix");
        }
    }

    private static void checkOperationName(Node node, String field, String name) {
        if (name.isEmpty()) {
            node.error(field, "header name cannot be empty");
        } else if (name.equalsIgnoreCase("host")) {
            node.error(field, "invalid header \"" + name + "\": cannot set Host header");
        } else if (name.startsWith(":")) {
            node.error(field, "invalid header \"" + name + "\": header cannot have \":\" prefix");
        }
    }

    /** Envoy's header value syntax: "%%" is a literal '%', "%NAME%" a variable; a lone '%' is an error. */
    private static void checkValue(Node node, String field, String value) {
        if (!HEADER_VALUE.matcher(value).matches()) {
            node.error(field, "header value \"" + value + "\" contains control characters");
            return;
        }
        int i = 0;
        while (i < value.length()) {
            if (value.charAt(i) != '%') {
                i++;
                continue;
            }
            if (i + 1 < value.length() && value.charAt(i + 1) == '%') {
                i += 2;
                continue;
            }
            int end = value.indexOf('%', i + 1);
            if (end < 0) {
                node.error(field, "header value \"" + value + "\": '%' at position " + i
                        + " starts a variable that is never closed; write %% for a literal '%'");
                return;
            }
            i = end + 1;
        }
    }
}
