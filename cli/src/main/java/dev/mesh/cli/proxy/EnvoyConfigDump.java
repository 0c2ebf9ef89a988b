package dev.mesh.cli.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An Envoy {@code envoy.admin.v3.ConfigDump} in its JSON form, as the config-distributor's
 * {@code /debug/config_dump} and a proxy's admin {@code /config_dump} serve it. Read as a JSON tree rather than
 * as protos so that a dump carrying extension types this build does not know is still shown; field names are
 * accepted in proto JSON's lowerCamelCase and in Envoy's snake_case.
 */
public final class EnvoyConfigDump {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;

    private EnvoyConfigDump(JsonNode root) {
        this.root = root;
    }

    /**
     * Parses a dump.
     *
     * @param source names where the text came from, for the error
     * @throws IllegalArgumentException when the text is not a config dump
     */
    public static EnvoyConfigDump parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + " is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !field(root, "configs").isArray()) {
            throw new IllegalArgumentException(source + " is not an Envoy config dump (no \"configs\" array)");
        }
        return new EnvoyConfigDump(root);
    }

    /** The dump as it was read. */
    public JsonNode json() {
        return root;
    }

    /** The dump's section of one type ({@code ClustersConfigDump}, ...), if it has one. */
    public Optional<JsonNode> section(String simpleType) {
        for (JsonNode config : field(root, "configs")) {
            String type = config.path("@type").asText("");
            if (type.endsWith("." + simpleType)) {
                return Optional.of(config);
            }
        }
        return Optional.empty();
    }

    public boolean has(String simpleType) {
        return section(simpleType).isPresent();
    }

    /** Every cluster, dynamic (active) then static. */
    public List<JsonNode> clusters() {
        return resources("ClustersConfigDump", new String[][] {{"dynamicActiveClusters", "cluster"},
                {"staticClusters", "cluster"}});
    }

    /** Every listener: the active state of dynamic listeners, then static ones. */
    public List<JsonNode> listeners() {
        List<JsonNode> out = new ArrayList<>();
        section("ListenersConfigDump").ifPresent(s -> {
            for (JsonNode l : field(s, "dynamicListeners")) {
                JsonNode listener = field(field(l, "activeState"), "listener");
                if (listener.isObject()) {
                    out.add(withoutType(listener));
                }
            }
            for (JsonNode l : field(s, "staticListeners")) {
                if (field(l, "listener").isObject()) {
                    out.add(withoutType(field(l, "listener")));
                }
            }
        });
        return out;
    }

    public List<JsonNode> routes() {
        return resources("RoutesConfigDump", new String[][] {{"dynamicRouteConfigs", "routeConfig"},
                {"staticRouteConfigs", "routeConfig"}});
    }

    public List<JsonNode> endpoints() {
        return resources("EndpointsConfigDump", new String[][] {{"dynamicEndpointConfigs", "endpointConfig"},
                {"staticEndpointConfigs", "endpointConfig"}});
    }

    /**
     * Every secret entry of the dump's {@code SecretsConfigDump} with its state: {@code ACTIVE} for static and
     * dynamic active secrets, {@code WARMING} for dynamic warming ones.
     */
    public List<Secret> secrets() {
        List<Secret> out = new ArrayList<>();
        section("SecretsConfigDump").ifPresent(s -> {
            for (JsonNode e : field(s, "staticSecrets")) {
                out.add(new Secret(field(e, "name").asText(""), "ACTIVE", field(e, "secret")));
            }
            for (JsonNode e : field(s, "dynamicActiveSecrets")) {
                out.add(new Secret(field(e, "name").asText(""), "ACTIVE", field(e, "secret")));
            }
            for (JsonNode e : field(s, "dynamicWarmingSecrets")) {
                out.add(new Secret(field(e, "name").asText(""), "WARMING", field(e, "secret")));
            }
        });
        return out;
    }

    /** The {@code bootstrap} of the dump's {@code BootstrapConfigDump}, if it has one. */
    public Optional<JsonNode> bootstrap() {
        return section("BootstrapConfigDump").map(s -> field(s, "bootstrap")).filter(JsonNode::isObject);
    }

    /** One entry of a secrets dump. */
    public record Secret(String name, String status, JsonNode secret) {
    }

    private List<JsonNode> resources(String type, String[][] lists) {
        List<JsonNode> out = new ArrayList<>();
        section(type).ifPresent(s -> {
            for (String[] list : lists) {
                for (JsonNode entry : field(s, list[0])) {
                    JsonNode resource = field(entry, list[1]);
                    if (resource.isObject()) {
                        out.add(withoutType(resource));
                    }
                }
            }
        });
        return out;
    }

    /** A resource as its own message, without the {@code @type} of the {@code Any} it was packed in. */
    private static JsonNode withoutType(JsonNode packed) {
        ObjectNode copy = ((ObjectNode) packed).deepCopy();
        copy.remove("@type");
        return copy;
    }

    /** A field by its lowerCamelCase name, or by the snake_case spelling Envoy's own admin uses. */
    public static JsonNode field(JsonNode node, String camelName) {
        if (node == null) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        JsonNode value = node.get(camelName);
        if (value != null) {
            return value;
        }
        StringBuilder snake = new StringBuilder();
        for (char c : camelName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                snake.append('_').append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        return node.path(snake.toString());
    }

    /** Follows a path of lowerCamelCase field names. */
    public static JsonNode path(JsonNode node, String... names) {
        JsonNode at = node;
        for (String name : names) {
            at = field(at, name);
        }
        return at;
    }
}
