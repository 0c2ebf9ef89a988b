package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.List;
import java.util.Map;

/**
 * The conditions of a TCP route.
 *
 * @param destinationSubnets IPs or CIDR blocks of the destination
 * @param port               0 when absent
 */
public record L4MatchAttributes(List<String> destinationSubnets, int port, Map<String, String> sourceLabels,
        List<String> gateways, String sourceNamespace) {

    public L4MatchAttributes {
        destinationSubnets = Fields.list(destinationSubnets);
        sourceLabels = Fields.map(sourceLabels);
        gateways = Fields.list(gateways);
        sourceNamespace = Fields.str(sourceNamespace);
    }

    public static L4MatchAttributes parse(Node node) {
        L4MatchAttributes match = new L4MatchAttributes(node.strings("destinationSubnets"),
                Fields.uint32(node, "port"), node.stringMap("sourceLabels"), node.strings("gateways"),
                Fields.string(node, "sourceNamespace"));
        checkCommon(node, match.destinationSubnets, match.port, match.sourceLabels, match.gateways,
                match.sourceNamespace);
        return match;
    }

    /** The checks TCP and TLS matches share. */
    static void checkCommon(Node node, List<String> subnets, int port, Map<String, String> sourceLabels,
            List<String> gateways, String sourceNamespace) {
        for (int i = 0; i < subnets.size(); i++) {
            Validation.checkIpOrCidr(node, Fields.at("destinationSubnets", i), subnets.get(i));
        }
        if (port != 0) {
            Validation.checkPort(node, "port", port);
        }
        Validation.checkLabels(node, "sourceLabels", sourceLabels);
        VirtualService.checkGatewayNames(node, "gateways", gateways);
        if (!sourceNamespace.isEmpty()) {
            Validation.checkDnsLabel(node, "sourceNamespace", sourceNamespace, "sourceNamespace");
        }
    }
}
