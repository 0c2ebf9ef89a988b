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
    public static final MessageType CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS = new MessageType("IST0109",
            "ConflictingMeshGatewayVirtualServiceHosts", Level.ERROR,
            "The VirtualServices %s associated with mesh gateway define the same host %s which can lead to undefined"
                    + " behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.");
    public static final MessageType CONFLICTING_SIDECAR_WORKLOAD_SELECTORS = new MessageType("IST0110",
            "ConflictingSidecarWorkloadSelectors", Level.ERROR,
            "The Sidecars %s in namespace %s select the same workload pod %s, which can lead to undefined behavior.");
    public static final MessageType NAMESPACE_MULTIPLE_INJECTION_LABELS = new MessageType("IST0123",
            "NamespaceMultipleInjectionLabels", Level.WARNING,
            "The namespace has more than one type of injection labels %s, which may lead to undefined behavior. Make"
                    + " sure only one injection label exists.");
    public static final MessageType VIRTUAL_SERVICE_UNREACHABLE_RULE = new MessageType("IST0130",
            "VirtualServiceUnreachableRule", Level.WARNING, "VirtualService rule %s not used (%s).");
    public static final MessageType VIRTUAL_SERVICE_INEFFECTIVE_MATCH = new MessageType("IST0131",
            "VirtualServiceIneffectiveMatch", Level.INFO,
            "VirtualService rule %s match %s is not used (duplicate/overlapping match in rule %s).");
    public static final MessageType VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY = new MessageType("IST0132",
            "VirtualServiceHostNotFoundInGateway", Level.WARNING,
            "one or more host %s defined in VirtualService %s not found in Gateway %s.");
    public static final MessageType CONFLICTING_GATEWAYS = new MessageType("IST0145", "ConflictingGateways",
            Level.ERROR, "Conflict with gateways %s (workload selector %s, port %s, hosts %s).");
    public static final MessageType NAMESPACE_INJECTION_ENABLED_BY_DEFAULT = new MessageType("IST0148",
            "NamespaceInjectionEnabledByDefault", Level.INFO,
            "is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.");
    public static final MessageType CONFLICTING_TELEMETRY_WORKLOAD_SELECTORS = new MessageType("IST0159",
            "ConflictingTelemetryWorkloadSelectors", Level.ERROR,
            "The Telemetries %s in namespace %s select the same workload pod %s, which can lead to undefined"
                    + " behavior.");
    public static final MessageType GATEWAY_PORT_NOT_DEFINED_ON_SERVICE = new MessageType("IST0162",
            "GatewayPortNotDefinedOnService", Level.WARNING,
            "The gateway is listening on a target port (port %d) that is not defined in the Service associated with"
                    + " its workload instances (Pod selector %s). If you need to access the gateway port through the"
                    + " gateway Service, it will not be available.");
    public static final MessageType DESTINATION_RULE_SUBSET_NOT_SELECT_PODS = new MessageType("IST0173",
            "DestinationRuleSubsetNotSelectPods", Level.ERROR,
            "The Subset %s defined in the DestinationRule does not select any pods. Which may lead to 503 UH"
                    + " (NoHealthyUpstream).");
    public static final MessageType UNKNOWN_DESTINATION_RULE_HOST = new MessageType("IST0174",
            "UnknownDestinationRuleHost", Level.WARNING,
            "The host %s defined in the DestinationRule does not match any services in the mesh.");

    public static final List<MessageType> ALL = List.of(REFERENCED_RESOURCE_NOT_FOUND, NAMESPACE_NOT_INJECTED,
            POD_MISSING_PROXY, SCHEMA_VALIDATION_ERROR, CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS,
            CONFLICTING_SIDECAR_WORKLOAD_SELECTORS, VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED,
            NAMESPACE_MULTIPLE_INJECTION_LABELS, VIRTUAL_SERVICE_UNREACHABLE_RULE, VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
            VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY, CONFLICTING_GATEWAYS, NAMESPACE_INJECTION_ENABLED_BY_DEFAULT,
            CONFLICTING_TELEMETRY_WORKLOAD_SELECTORS, GATEWAY_PORT_NOT_DEFINED_ON_SERVICE,
            DESTINATION_RULE_SUBSET_NOT_SELECT_PODS, UNKNOWN_DESTINATION_RULE_HOST);

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

    /** IST0109: {@code virtualServices} are the conflicting ones' full names, {@code scopedHost} {@code scope/fqdn}. */
    public static Message conflictingMeshGatewayHosts(Manifest virtualService, String virtualServices,
            String scopedHost) {
        return of(CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS, virtualService, virtualServices, scopedHost);
    }

    public static Message conflictingSidecarWorkloadSelectors(Manifest sidecar, List<String> sidecars,
            String namespace, String pod) {
        return of(CONFLICTING_SIDECAR_WORKLOAD_SELECTORS, sidecar, Hosts.goList(sidecars), quote(namespace),
                quote(pod));
    }

    /** IST0123; {@code labels} as {@code key=value}. */
    public static Message namespaceMultipleInjectionLabels(Manifest namespace, List<String> labels) {
        return of(NAMESPACE_MULTIPLE_INJECTION_LABELS, namespace, Hosts.goList(labels));
    }

    public static Message virtualServiceUnreachableRule(Manifest virtualService, String rule, String reason) {
        return of(VIRTUAL_SERVICE_UNREACHABLE_RULE, virtualService, rule, reason);
    }

    public static Message virtualServiceIneffectiveMatch(Manifest virtualService, String rule, String match,
            String earlierRule) {
        return of(VIRTUAL_SERVICE_INEFFECTIVE_MATCH, virtualService, rule, match, earlierRule);
    }

    /** IST0132; the VirtualService and Gateway named as Istio prints full names. */
    public static Message virtualServiceHostNotFoundInGateway(Manifest virtualService, List<String> hosts,
            String virtualServiceName, String gatewayName) {
        return of(VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY, virtualService, Hosts.goList(hosts),
                virtualServiceName, gatewayName);
    }

    public static Message conflictingGateways(Manifest gateway, String gateways, String selector, int port,
            String hosts) {
        return of(CONFLICTING_GATEWAYS, gateway, gateways, selector, String.valueOf(port), hosts);
    }

    public static Message namespaceInjectionEnabledByDefault(Manifest namespace) {
        return of(NAMESPACE_INJECTION_ENABLED_BY_DEFAULT, namespace);
    }

    public static Message conflictingTelemetryWorkloadSelectors(Manifest telemetry, List<String> telemetries,
            String namespace, String pod) {
        return of(CONFLICTING_TELEMETRY_WORKLOAD_SELECTORS, telemetry, Hosts.goList(telemetries), quote(namespace),
                quote(pod));
    }

    public static Message unknownDestinationRuleHost(Manifest destinationRule, String host) {
        return of(UNKNOWN_DESTINATION_RULE_HOST, destinationRule, host);
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
        // As Istio's origin: a Namespace belongs to itself, so `-n demo` shows the messages about Namespace demo only.
        String namespace = "Namespace".equals(on.kindName()) ? on.metadata().name() : on.metadata().namespace();
        return new Message(type, on.displayName(), namespace, String.format(type.template(), args));
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
