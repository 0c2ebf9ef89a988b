package dev.mesh.api.security;

import dev.mesh.api.Node;
import java.util.List;
import java.util.stream.Stream;

/**
 * Istio's {@code security.istio.io} Operation: what a request does. Within one operation every set field
 * must match; within one field any value may match; the {@code not*} fields exclude.
 *
 * @param hosts   the request's host (authority), case-insensitive; {@code *} wildcards at either end
 * @param ports   destination ports, as strings of digits
 * @param methods HTTP methods (for gRPC always {@code POST})
 * @param paths   request paths; {@code *} at either end, or the templates {@code {*}} and {@code {**}}
 */
public record Operation(List<String> hosts, List<String> notHosts, List<String> ports, List<String> notPorts,
        List<String> methods, List<String> notMethods, List<String> paths, List<String> notPaths) {

    public Operation {
        hosts = copy(hosts);
        notHosts = copy(notHosts);
        ports = copy(ports);
        notPorts = copy(notPorts);
        methods = copy(methods);
        notMethods = copy(notMethods);
        paths = copy(paths);
        notPaths = copy(notPaths);
    }

    private static List<String> copy(List<String> values) {
        return values == null ? List.of() : List.copyOf(values);
    }

    static Operation parse(Node node) {
        Operation operation = new Operation(node.strings("hosts"), node.strings("notHosts"), node.strings("ports"),
                node.strings("notPorts"), node.strings("methods"), node.strings("notMethods"),
                node.strings("paths"), node.strings("notPaths"));
        operation.validate(node);
        return operation;
    }

    private void validate(Node node) {
        if (Stream.of(hosts, notHosts, ports, notPorts, methods, notMethods, paths, notPaths)
                .allMatch(List::isEmpty)) {
            node.error(null, "must set at least one field (hosts, ports, methods, paths or their not* forms)");
        }
        SecurityChecks.checkNonEmptyValues(node, "hosts", hosts);
        SecurityChecks.checkNonEmptyValues(node, "notHosts", notHosts);
        SecurityChecks.checkNonEmptyValues(node, "ports", ports);
        SecurityChecks.checkNonEmptyValues(node, "notPorts", notPorts);
        SecurityChecks.checkPorts(node, "ports", ports);
        SecurityChecks.checkPorts(node, "notPorts", notPorts);
        SecurityChecks.checkNonEmptyValues(node, "methods", methods);
        SecurityChecks.checkNonEmptyValues(node, "notMethods", notMethods);
        SecurityChecks.warnLowerCaseMethods(node, "methods", methods);
        SecurityChecks.warnLowerCaseMethods(node, "notMethods", notMethods);
        SecurityChecks.checkNonEmptyValues(node, "paths", paths);
        SecurityChecks.checkNonEmptyValues(node, "notPaths", notPaths);
        SecurityChecks.checkPathTemplates(node, "paths", paths);
        SecurityChecks.checkPathTemplates(node, "notPaths", notPaths);
        SecurityChecks.warnRelativePaths(node, "paths", paths);
        SecurityChecks.warnRelativePaths(node, "notPaths", notPaths);
    }

    /** True when it constrains something a TCP connection carries: only the port. */
    boolean hasTcpAttributes() {
        return !ports.isEmpty() || !notPorts.isEmpty();
    }
}
