package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A load balancer at the edge of the mesh: which gateway workloads ({@code selector}) listen on
 * which ports for which hosts.
 *
 * @param selector the labels of the gateway pods this configuration applies to
 */
public record Gateway(List<Server> servers, Map<String, String> selector) {

    public Gateway {
        servers = Fields.list(servers);
        selector = Fields.map(selector);
    }

    public static Gateway parse(Node node) {
        Gateway gateway = new Gateway(node.list("servers", Server::parse), node.stringMap("selector"));
        if (gateway.servers.isEmpty()) {
            node.error("servers", "gateway must have at least one server");
        }
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < gateway.servers.size(); i++) {
            Server server = gateway.servers.get(i);
            if (server.port() == null) {
                continue;
            }
            String name = server.port().name();
            if (!name.isEmpty() && !portNames.add(name)) {
                node.error(Fields.at("servers", i) + ".port.name", "port names in servers must be unique:"
                        + " duplicate name \"" + name + "\"");
            }
            if (server.tls() != null && server.tls().httpsRedirect()
                    && !Validation.isHttpProtocol(server.port().protocol())) {
                node.warning(Fields.at("servers", i) + ".tls.httpsRedirect", "httpsRedirect should only be used"
                        + " with HTTP servers, not " + server.port().protocol());
            }
        }
        return gateway;
    }
}
