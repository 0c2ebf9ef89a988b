package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adds a service to the mesh's registry: typically an external one, or workloads outside Kubernetes.
 *
 * @param addresses        virtual IPs or CIDR blocks of the service
 * @param location         MESH_EXTERNAL when absent
 * @param resolution       NONE when absent
 * @param endpoints        explicit endpoints; exclusive with {@code workloadSelector}
 * @param workloadSelector null when absent
 */
public record ServiceEntry(List<String> hosts, List<String> addresses, List<ServicePort> ports, Location location,
        Resolution resolution, List<WorkloadEntry> endpoints, WorkloadSelector workloadSelector,
        List<String> exportTo, List<String> subjectAltNames) {

    public enum Location { MESH_EXTERNAL, MESH_INTERNAL }

    /** NONE: connect to the address the client asked for; STATIC: endpoints' IPs; DNS*: resolve names. */
    public enum Resolution { NONE, STATIC, DNS, DNS_ROUND_ROBIN }

    public ServiceEntry {
        hosts = Fields.list(hosts);
        addresses = Fields.list(addresses);
        ports = Fields.list(ports);
        location = location == null ? Location.MESH_EXTERNAL : location;
        resolution = resolution == null ? Resolution.NONE : resolution;
        endpoints = Fields.list(endpoints);
        exportTo = Fields.list(exportTo);
        subjectAltNames = Fields.list(subjectAltNames);
    }

    public static ServiceEntry parse(Node node) {
        ServiceEntry se = new ServiceEntry(node.strings("hosts"), node.strings("addresses"),
                node.list("ports", ServicePort::parse),
                Fields.enumValue(node, "location", Location.class, Location.MESH_EXTERNAL),
                Fields.enumValue(node, "resolution", Resolution.class, Resolution.NONE),
                node.list("endpoints", WorkloadEntry::parse),
                node.object("workloadSelector", WorkloadSelector::parse),
                node.strings("exportTo"), node.strings("subjectAltNames"));
        if (node.has("workloadSelector") && node.has("endpoints")) {
            node.error("endpoints", "only one of workloadSelector or endpoints is allowed in a service entry");
        }
        se.checkHosts(node);
        se.checkAddresses(node);
        Set<String> portNames = se.checkPorts(node);
        se.checkResolution(node, portNames);
        if (se.resolution != Resolution.NONE && se.hosts.size() > 1) {
            for (ServicePort port : se.ports) {
                if (!Validation.isHttpProtocol(port.protocol()) && !Validation.isTlsProtocol(port.protocol())) {
                    node.error("hosts", "multiple hosts provided with non-HTTP, non-TLS port " + port.number()
                            + " (" + (port.protocol().isEmpty() ? "no protocol" : port.protocol()) + "): with "
                            + se.resolution + " resolution the hosts cannot be told apart");
                    break;
                }
            }
        }
        Validation.checkExportTo(node, "exportTo", se.exportTo, true);
        return se;
    }

    private void checkHosts(Node node) {
        if (hosts.isEmpty()) {
            node.error("hosts", "service entry must have at least one host");
        }
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            String at = Fields.at("hosts", i);
            if (host.equals("*")) {
                node.error(at, "invalid host *: a service entry cannot capture every host");
                continue;
            }
            Validation.checkWildcardHost(node, at, host);
            String partial = Validation.partialWildcardError(host);
            if (partial != null) {
                node.warning(at, partial);
            }
        }
    }

    private void checkAddresses(Node node) {
        boolean cidr = false;
        for (int i = 0; i < addresses.size(); i++) {
            cidr |= addresses.get(i).contains("/");
            Validation.checkIpOrCidr(node, Fields.at("addresses", i), addresses.get(i));
        }
        if (cidr && resolution != Resolution.NONE && resolution != Resolution.STATIC) {
            node.error("addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types, not "
                    + resolution);
        }
    }

    /** @return the port names */
    private Set<String> checkPorts(Node node) {
        Set<String> names = new HashSet<>();
        Set<Integer> numbers = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            String at = Fields.at("ports", i);
            if (!names.add(port.name())) {
                node.error(at + ".name", "service entry port name \"" + port.name() + "\" already defined");
            }
            if (!numbers.add(port.number())) {
                node.error(at + ".number", "service entry port " + port.number() + " already defined");
            }
            if (port.targetPort() != 0) {
                Validation.checkPort(node, at + ".targetPort", port.targetPort());
                if (resolution == Resolution.NONE) {
                    node.warning(at + ".targetPort", "targetPort has no effect when resolution mode is NONE");
                }
            }
            if (addresses.isEmpty() && (port.protocol().isEmpty() || port.protocol().equalsIgnoreCase("TCP"))) {
                node.warning(at + ".protocol", "addresses are required for ports serving TCP (or unset) protocol"
                        + " unless addresses are allocated automatically");
            }
            Validation.checkPortName(node, at + ".name", port.name());
            Validation.checkProtocol(node, at + ".protocol", port.protocol());
            Validation.checkPort(node, at + ".number", port.number());
        }
        return names;
    }

    private void checkResolution(Node node, Set<String> portNames) {
        switch (resolution) {
            case NONE -> {
                if (!endpoints.isEmpty()) {
                    node.error("endpoints", "no endpoints should be provided for resolution type NONE");
                }
                if (workloadSelector != null) {
                    node.warning("workloadSelector", "workloadSelector should not be set when resolution mode is"
                            + " NONE");
                }
            }
            case STATIC -> {
                for (int i = 0; i < endpoints.size(); i++) {
                    checkStaticEndpoint(node, Fields.at("endpoints", i), endpoints.get(i), portNames);
                }
            }
            case DNS, DNS_ROUND_ROBIN -> {
                if (endpoints.isEmpty()) {
                    for (int i = 0; i < hosts.size(); i++) {
                        if (Validation.fqdnError(hosts.get(i)) != null) {
                            node.error(Fields.at("hosts", i), "hosts must be FQDN if no endpoints are provided for"
                                    + " resolution mode " + resolution + ", got \"" + hosts.get(i) + "\"");
                        }
                    }
                }
                if (resolution == Resolution.DNS_ROUND_ROBIN && endpoints.size() > 1) {
                    node.error("endpoints", "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN,"
                            + " got " + endpoints.size());
                }
                for (int i = 0; i < endpoints.size(); i++) {
                    WorkloadEntry endpoint = endpoints.get(i);
                    String at = Fields.at("endpoints", i);
                    if (!Validation.isIpAddress(endpoint.address())
                            && Validation.fqdnError(endpoint.address()) != null) {
                        node.error(at + ".address", "endpoint address \"" + endpoint.address()
                                + "\" is not a valid FQDN or an IP address");
                    }
                    checkEndpointCommon(node, at, endpoint, portNames);
                }
                if (workloadSelector != null) {
                    node.warning("workloadSelector", "workloadSelector should not be set when resolution mode is "
                            + resolution);
                }
                if (!addresses.isEmpty() && hosts.size() > 1
                        && ports.stream().anyMatch(p -> Validation.isTcpProtocol(p.protocol()))) {
                    node.warning("hosts", "service entry can not have more than one host specified simultaneously"
                            + " with address and tcp port");
                }
            }
            default -> throw new IllegalStateException("unhandled resolution " + resolution);
        }
    }

    private void checkStaticEndpoint(Node node, String at, WorkloadEntry endpoint, Set<String> portNames) {
        String address = endpoint.address();
        if (address.isEmpty()) {
            if (endpoint.network().isEmpty()) {
                node.error(at + ".address", "address is required");
                return;
            }
            node.warning(at + ".address", "address is unset with network \"" + endpoint.network() + "\"");
        }
        if (address.startsWith(Validation.UNIX_ADDRESS_PREFIX)) {
            Validation.checkUnixAddress(node, at + ".address",
                    address.substring(Validation.UNIX_ADDRESS_PREFIX.length()));
            if (!endpoint.ports().isEmpty()) {
                node.error(at + ".ports", "unix endpoint " + address + " must not include ports");
            }
            if (portNames.size() != 1) {
                node.error(at + ".address", "exactly 1 service port required for unix endpoints, the service"
                        + " entry has " + portNames.size());
            }
        } else if (!address.isEmpty() && !Validation.isIpAddress(address)) {
            node.error(at + ".address", "endpoint address \"" + address + "\" is not a valid IP address (resolution"
                    + " is STATIC)");
        }
        checkEndpointCommon(node, at, endpoint, portNames);
    }

    private static void checkEndpointCommon(Node node, String at, WorkloadEntry endpoint, Set<String> portNames) {
        for (Map.Entry<String, Integer> port : endpoint.ports().entrySet()) {
            String portAt = at + ".ports." + port.getKey();
            if (!portNames.contains(port.getKey())) {
                node.error(portAt, "endpoint port \"" + port.getKey() + "\" is not defined by the service entry");
            }
            Validation.checkPortName(node, portAt, port.getKey());
            Validation.checkPort(node, portAt, port.getValue());
        }
        Validation.checkLabels(node, at + ".labels", endpoint.labels());
    }
}
