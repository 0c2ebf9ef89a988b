package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The CORS policy of an HTTP route.
 *
 * @param maxAge              null when absent
 * @param allowCredentials    null when absent
 * @param unmatchedPreflights what to do with preflight requests from origins not allowed
 */
public record CorsPolicy(List<StringMatch> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
        List<String> exposeHeaders, Duration maxAge, Boolean allowCredentials,
        UnmatchedPreflights unmatchedPreflights) {

    public enum UnmatchedPreflights { UNSPECIFIED, FORWARD, IGNORE }

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT",
            "OPTIONS", "TRACE");

    public CorsPolicy {
        allowOrigins = Fields.list(allowOrigins);
        allowMethods = Fields.list(allowMethods);
        allowHeaders = Fields.list(allowHeaders);
        exposeHeaders = Fields.list(exposeHeaders);
        unmatchedPreflights = unmatchedPreflights == null ? UnmatchedPreflights.UNSPECIFIED : unmatchedPreflights;
    }

    public static CorsPolicy parse(Node node) {
        CorsPolicy cors = new CorsPolicy(node.list("allowOrigins", CorsPolicy::parseOrigin),
                node.strings("allowMethods"), node.strings("allowHeaders"), node.strings("exposeHeaders"),
                node.duration("maxAge"), node.bool("allowCredentials"),
                Fields.enumValue(node, "unmatchedPreflights", UnmatchedPreflights.class,
                        UnmatchedPreflights.UNSPECIFIED));
        for (int i = 0; i < cors.allowMethods.size(); i++) {
            String method = cors.allowMethods.get(i);
            if (!METHODS.contains(method)) {
                node.error(Fields.at("allowMethods", i), "\"" + method + "\" is not a supported HTTP method");
            }
        }
        checkHeaderNames(node, "allowHeaders", cors.allowHeaders);
        checkHeaderNames(node, "exposeHeaders", cors.exposeHeaders);
        if (cors.maxAge != null) {
            Validation.checkDuration(node, "maxAge", cors.maxAge);
            if (cors.maxAge.getNano() != 0) {
                node.error("maxAge", "maxAge is accurate only to seconds precision");
            }
        }
        return cors;
    }

    private static StringMatch parseOrigin(Node node) {
        StringMatch origin = StringMatch.parse(node);
        if (origin.isEmpty()) {
            node.error(null, "an allowed origin needs a non-empty exact, prefix or regex");
        }
        return origin;
    }

    private static void checkHeaderNames(Node node, String field, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).equals("*")) {
                Validation.checkHttpHeaderName(node, Fields.at(field, i), names.get(i), false);
            }
        }
    }
}
