package dev.mesh.cli.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mesh.api.KubeResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of a Kubernetes Service the analyzers read.
 *
 * @param selector empty when the Service has none
 */
public record KubeService(KubeResource resource, Map<String, String> selector, List<Port> ports) {

    public static final String EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";

    /**
     * @param targetPort the numeric target port, 0 when absent or named (Istio's {@code IntValue()} semantics)
     * @param protocol   {@code TCP} when the manifest does not say, as the API server defaults it
     */
    public record Port(String name, int port, int targetPort, String protocol) {
    }

    public KubeService {
        selector = Map.copyOf(selector);
        ports = List.copyOf(ports);
    }

    public String namespace() {
        return resource.metadata().namespace();
    }

    public String name() {
        return resource.metadata().name();
    }

    public static KubeService from(KubeResource resource) {
        JsonNode spec = resource.raw().path("spec");
        List<Port> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            JsonNode target = p.path("targetPort");
            int targetPort = target.isInt() ? target.asInt() : target.isTextual() ? parseIntOrZero(target.asText()) : 0;
            ports.add(new Port(p.path("name").asText(""), p.path("port").asInt(0), targetPort,
                    p.path("protocol").asText("TCP")));
        }
        return new KubeService(resource, Json.stringMap(spec.path("selector")), ports);
    }

    private static int parseIntOrZero(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0; // a named target port: Istio's IntValue() gives 0 too
        }
    }
}
