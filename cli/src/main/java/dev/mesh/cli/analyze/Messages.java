package dev.mesh.cli.analyze;

import dev.mesh.api.Manifest;
import dev.mesh.api.ObjectMeta;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The catalogue of every message meshctl's analyzers report: Istio's codes, names, levels and templates
 * (from Istio's {@code pkg/config/analysis/msg/messages.yaml}), so that users can grep for what they know.
 * Each factory renders one message about one resource.
 */
public final class Messages {

    public static final MessageType REFERENCED_RESOURCE_NOT_FOUND = new MessageType("IST0101",
            "ReferencedResourceNotFound", Level.ERROR, "Referenced %s not found: %s");
    public static final MessageType NAMESPACE_NOT_INJECTED = new MessageType("IST0102", "NamespaceNotInjected",
            Level.INFO, "The namespace is not enabled for Istio injection. Run 'kubectl label namespace %s"
                    + " istio-injection=enabled' to enable it, or 'kubectl label namespace %s"
                    + " istio-injection=disabled' to explicitly mark it as not needing injection.");
    public static final MessageType POD_MISSING_PROXY = new MessageType("IST0103", "PodMissingProxy", Level.WARNING,
            "The pod %s is missing the Istio proxy. This can often be resolved by restarting or redeploying the"
                    + " workload.");
    public static final MessageType SCHEMA_VALIDATION_ERROR = new MessageType("IST0106", "SchemaValidationError",
            Level.ERROR, "Schema validation error: %s");
    public static final MessageType VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED = new MessageType("IST0112",
            "VirtualServiceDestinationPortSelectorRequired", Level.ERROR,
            "This VirtualService routes to a service %s that exposes multiple ports %s. Specifying a port in the"
                    + " destination is required to disambiguate.");
    public static final MessageType GATEWAY_PORT_NOT_DEFINED_ON_SERVICE = new MessageType("IST0162",
            "GatewayPortNotDefinedOnService", Level.WARNING,
            "The gateway is listening on a target port (port %d) that is not defined in the Service associated with"
                    + " its workload instances (Pod selector %s). If you need to access the gateway port through the"
                    + " gateway Service, it will not be available.");
    public static final MessageType DESTINATION_RULE_SUBSET_NOT_SELECT_PODS = new MessageType("IST0173",
            "DestinationRuleSubsetNotSelectPods", Level.ERROR,
            "The Subset %s defined in the DestinationRule does not select any pods. Which may lead to 503 UH"
                    + " (NoHealthyUpstream).");

    public static final List<MessageType> ALL = List.of(REFERENCED_RESOURCE_NOT_FOUND, NAMESPACE_NOT_INJECTED,
            POD_MISSING_PROXY, SCHEMA_VALIDATION_ERROR, VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED,
            GATEWAY_PORT_NOT_DEFINED_ON_SERVICE, DESTINATION_RULE_SUBSET_NOT_SELECT_PODS);

    private Messages() {
    }

    /** IST0101: {@code reftype} is what was looked for ("host", "gateway", ...), {@code refval} the reference. */
    public static Message referencedResourceNotFound(Manifest on, String reftype, String refval) {
        return of(REFERENCED_RESOURCE_NOT_FOUND, on, reftype, quote(refval));
    }

    public static Message namespaceNotInjected(Manifest namespace) {
        String name = namespace.metadata().name();
        return of(NAMESPACE_NOT_INJECTED, namespace, name, name);
    }

    /** IST0103 about a pod; Istio names the pod {@code namespace/name}. */
    public static Message podMissingProxy(Manifest pod) {
        ObjectMeta meta = pod.metadata();
        String fullName = meta.namespace().isEmpty() ? meta.name() : meta.namespace() + "/" + meta.name();
        return of(POD_MISSING_PROXY, pod, fullName);
    }

    public static Message schemaValidationError(Manifest on, String error) {
        return of(SCHEMA_VALIDATION_ERROR, on, error);
    }

    public static Message destinationPortSelectorRequired(Manifest on, String host, List<Integer> ports) {
        // Go's %v of an int slice: [80 443]
        String portList = ports.stream().map(String::valueOf).collect(Collectors.joining(" ", "[", "]"));
        return of(VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED, on, quote(host), portList);
    }

    public static Message gatewayPortNotDefinedOnService(Manifest gateway, int port, String selector) {
        return of(GATEWAY_PORT_NOT_DEFINED_ON_SERVICE, gateway, port, selector);
    }

    public static Message destinationRuleSubsetNotSelectPods(Manifest destinationRule, String subset) {
        return of(DESTINATION_RULE_SUBSET_NOT_SELECT_PODS, destinationRule, subset);
    }

    private static Message of(MessageType type, Manifest on, Object... args) {
        return new Message(type, on.displayName(), on.metadata().namespace(), String.format(type.template(), args));
    }

    /** A double-quoted string with Go's {@code %q} escapes, as Istio's templates print references. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
