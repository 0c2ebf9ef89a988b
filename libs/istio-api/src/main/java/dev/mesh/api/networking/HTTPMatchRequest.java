package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.List;
import java.util.Map;

/**
 * The conditions a request must meet for an HTTP route to apply; all of them must hold.
 *
 * @param uri             null when absent, as are {@code scheme}, {@code method} and {@code authority}
 * @param headers         header name (or {@code @request.auth.claims.<claim>} on gateways) to match
 * @param port            0 when absent
 * @param withoutHeaders  headers that must not match; {@code regex: "*"} means "absent"
 */
public record HTTPMatchRequest(String name, StringMatch uri, StringMatch scheme, StringMatch method,
        StringMatch authority, Map<String, StringMatch> headers, int port, Map<String, String> sourceLabels,
        List<String> gateways, Map<String, StringMatch> queryParams, boolean ignoreUriCase,
        Map<String, StringMatch> withoutHeaders, String sourceNamespace, String statPrefix) {

    public HTTPMatchRequest {
        name = Fields.str(name);
        headers = Fields.map(headers);
        sourceLabels = Fields.map(sourceLabels);
        gateways = Fields.list(gateways);
        queryParams = Fields.map(queryParams);
        withoutHeaders = Fields.map(withoutHeaders);
        sourceNamespace = Fields.str(sourceNamespace);
        statPrefix = Fields.str(statPrefix);
    }

    public static HTTPMatchRequest parse(Node node) {
        return parse(node, true);
    }

    /** @param appliesToGateway JWT claim matches are only possible on gateways */
    static HTTPMatchRequest parse(Node node, boolean appliesToGateway) {
        HTTPMatchRequest match = new HTTPMatchRequest(
                Fields.string(node, "name"),
                node.object("uri", n -> StringMatch.parse(n, true, false)),
                node.object("scheme", StringMatch::parse),
                node.object("method", StringMatch::parse),
                node.object("authority", StringMatch::parse),
                node.objectMap("headers", StringMatch::parse),
                Fields.uint32(node, "port"),
                node.stringMap("sourceLabels"),
                node.strings("gateways"),
                node.objectMap("queryParams", StringMatch::parse),
                Fields.bool(node, "ignoreUriCase"),
                node.objectMap("withoutHeaders", n -> StringMatch.parse(n, false, true)),
                Fields.string(node, "sourceNamespace"),
                Fields.string(node, "statPrefix"));
        for (String field : List.of("headers", "withoutHeaders")) {
            for (String header : (field.equals("headers") ? match.headers : match.withoutHeaders).keySet()) {
                Validation.checkHttpHeaderName(node, field + "." + header, header, true);
                if (!appliesToGateway && header.startsWith(Validation.JWT_CLAIM_PREFIX)) {
                    node.error(field + "." + header, "JWT claim based routing (" + header
                            + ") is only supported on gateways, and this route is not bound to one");
                }
            }
        }
        if (match.port != 0) {
            Validation.checkPort(node, "port", match.port);
        }
        Validation.checkLabels(node, "sourceLabels", match.sourceLabels);
        VirtualService.checkGatewayNames(node, "gateways", match.gateways);
        if (!match.sourceNamespace.isEmpty()) {
            Validation.checkDnsLabel(node, "sourceNamespace", match.sourceNamespace, "sourceNamespace");
        }
        return match;
    }

    /** The same conditions without the name: what decides whether two matches are duplicates. */
    HTTPMatchRequest conditions() {
        return new HTTPMatchRequest("", uri, scheme, method, authority, headers, port, sourceLabels, gateways,
                queryParams, ignoreUriCase, withoutHeaders, sourceNamespace, "");
    }
}
