package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.List;
import java.util.Map;

/**
 * The conditions of a TLS route: the SNI names (required) and, optionally, L4 attributes.
 *
 * @param port 0 when absent
 */
public record TLSMatchAttributes(List<String> sniHosts, List<String> destinationSubnets, int port,
        Map<String, String> sourceLabels, List<String> gateways, String sourceNamespace) {

    public TLSMatchAttributes {
        sniHosts = Fields.list(sniHosts);
        destinationSubnets = Fields.list(destinationSubnets);
        sourceLabels = Fields.map(sourceLabels);
        gateways = Fields.list(gateways);
        sourceNamespace = Fields.str(sourceNamespace);
    }

    /** Without the VirtualService around it: SNI hosts are checked for syntax only. */
    public static TLSMatchAttributes parse(Node node) {
        return parse(node, null, true);
    }

    /**
     * @param vsHosts the VirtualService's hosts, of which each SNI host must be a subset; null to skip
     * @param gateway whether SNI hosts may take the gateway-only forms
     */
    static TLSMatchAttributes parse(Node node, List<String> vsHosts, boolean gateway) {
        TLSMatchAttributes match = new TLSMatchAttributes(node.strings("sniHosts"),
                node.strings("destinationSubnets"), Fields.uint32(node, "port"), node.stringMap("sourceLabels"),
                node.strings("gateways"), Fields.string(node, "sourceNamespace"));
        if (match.sniHosts.isEmpty()) {
            node.error("sniHosts", "TLS match must have at least one SNI host");
        }
        for (int i = 0; i < match.sniHosts.size(); i++) {
            checkSniHost(node, Fields.at("sniHosts", i), match.sniHosts.get(i), vsHosts, gateway);
        }
        L4MatchAttributes.checkCommon(node, match.destinationSubnets, match.port, match.sourceLabels,
                match.gateways, match.sourceNamespace);
        return match;
    }

    private static void checkSniHost(Node node, String field, String sni, List<String> vsHosts, boolean gateway) {
        String error = gateway ? VirtualService.gatewayHostError(true, sni) : Validation.wildcardDomainError(sni);
        if (error != null) {
            if (Validation.isIpAddress(sni)) {
                node.warning(field, "using an IP address (\"" + sni + "\") goes against the SNI spec and most"
                        + " clients do not support this");
            } else {
                node.error(field, error);
            }
            return;
        }
        if (vsHosts != null && vsHosts.stream().noneMatch(h -> Validation.hostSubsetOf(sni, h))) {
            node.error(field, "SNI host \"" + sni + "\" is not a compatible subset of any of the virtual service"
                    + " hosts: " + vsHosts);
        }
    }
}
