package dev.mesh.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Envoy config dumps for tests, built the way the config-distributor's {@code ConfigDump} builds its answer
 * (ClustersConfigDump, ListenersConfigDump, RoutesConfigDump, EndpointsConfigDump, each resource packed in an
 * {@code Any}) from the distributor's golden translation of a proxy: {@code {"CDS": [...], "EDS": [...], ...}}.
 */
public final class ConfigDumps {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String VERSION = "2026-11-26T10:00:00Z/7";

    private ConfigDumps() {
    }

    /** The translation golden {@code testdata/<relativePath>} as a config dump. */
    public static ObjectNode fromTranslation(String relativePath) {
        try {
            return fromTranslation(JSON.readTree(Golden.read(relativePath)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode fromTranslation(JsonNode byType) {
        ObjectNode dump = JSON.createObjectNode();
        ArrayNode configs = dump.putArray("configs");

        ObjectNode clusters = configs.addObject().put("@type", "type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
        ArrayNode dynamicClusters = clusters.putArray("dynamicActiveClusters");
        byType.path("CDS").forEach(c -> dynamicClusters.addObject().put("versionInfo", VERSION)
                .set("cluster", packed("envoy.config.cluster.v3.Cluster", c)));

        ObjectNode listeners = configs.addObject().put("@type", "type.googleapis.com/envoy.admin.v3.ListenersConfigDump");
        ArrayNode dynamicListeners = listeners.putArray("dynamicListeners");
        byType.path("LDS").forEach(l -> {
            ObjectNode entry = dynamicListeners.addObject().put("name", l.path("name").asText());
            entry.putObject("activeState").put("versionInfo", VERSION)
                    .set("listener", packed("envoy.config.listener.v3.Listener", l));
        });

        ObjectNode routes = configs.addObject().put("@type", "type.googleapis.com/envoy.admin.v3.RoutesConfigDump");
        ArrayNode dynamicRoutes = routes.putArray("dynamicRouteConfigs");
        byType.path("RDS").forEach(r -> dynamicRoutes.addObject().put("versionInfo", VERSION)
                .set("routeConfig", packed("envoy.config.route.v3.RouteConfiguration", r)));

        ObjectNode endpoints = configs.addObject().put("@type", "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");
        ArrayNode dynamicEndpoints = endpoints.putArray("dynamicEndpointConfigs");
        byType.path("EDS").forEach(e -> dynamicEndpoints.addObject().put("versionInfo", VERSION)
                .set("endpointConfig", packed("envoy.config.endpoint.v3.ClusterLoadAssignment", e)));
        return dump;
    }

    private static ObjectNode packed(String type, JsonNode resource) {
        ObjectNode any = JSON.createObjectNode().put("@type", "type.googleapis.com/" + type);
        resource.fields().forEachRemaining(f -> any.set(f.getKey(), f.getValue().deepCopy()));
        return any;
    }

    /** Changes a copy of the translation's JSON before it is packed: one of the walkthrough's failures. */
    public static ObjectNode fromTranslation(String relativePath, Consumer<ObjectNode> change) {
        try {
            ObjectNode byType = (ObjectNode) JSON.readTree(Golden.read(relativePath));
            change.accept(byType);
            return fromTranslation(byType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(JsonNode node) {
        return node.toString();
    }
}
