package dev.mesh.distributor.translate;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.ServiceEntry;
import dev.mesh.api.networking.ServicePort;
import dev.mesh.api.networking.WorkloadEntry;
import dev.mesh.distributor.model.EndpointModel;
import dev.mesh.distributor.model.ServiceModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A destination of the mesh: a Kubernetes Service or one host of a ServiceEntry, with its ports and
 * endpoints in one shape.
 *
 * @param address    the ClusterIP (or the first ServiceEntry address), empty when there is none
 * @param resolution how the proxy finds endpoints: EDS from the control plane, or DNS itself
 * @param subjectAltNames a ServiceEntry's {@code subjectAltNames}: the identities its endpoints
 *                   present (empty for Services, whose identities come from their pods)
 */
public record MeshService(String host, String name, String namespace, String address, List<MeshPort> ports,
        Resolution resolution, List<MeshEndpoint> endpoints, boolean external, List<String> subjectAltNames) {

    public enum Resolution { EDS, DNS, PASSTHROUGH }

    /**
     * @param protocol Istio's protocol from the port name or appProtocol: HTTP, HTTP2, GRPC, GRPC-WEB,
     *                 HTTPS, TLS, TCP, MONGO, REDIS, MYSQL, or UNKNOWN (detected per connection)
     */
    public record MeshPort(String name, int port, String protocol) {

        /** Served through the HTTP connection manager (unknown protocols too: the proxy detects HTTP). */
        public boolean isHttp() {
            return switch (protocol) {
                case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "UNKNOWN" -> true;
                default -> false;
            };
        }
    }

    /**
     * @param ports the endpoint's port for each service port name
     */
    public record MeshEndpoint(String address, Map<String, Integer> ports, Map<String, String> labels,
            String podName, boolean ready) {
    }

    public MeshService {
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
        subjectAltNames = List.copyOf(subjectAltNames);
    }

    public static MeshService of(ServiceModel s, String domain, List<EndpointModel> endpoints,
            BiFunction<String, EndpointModel, Map<String, String>> labels) {
        List<MeshPort> ports = new ArrayList<>();
        for (ServiceModel.Port p : s.ports()) {
            if (!"UDP".equals(p.protocol()) && !"SCTP".equals(p.protocol())) {
                ports.add(new MeshPort(p.name(), p.port(), protocolOf(p.name(), p.appProtocol())));
            }
        }
        List<MeshEndpoint> meshEndpoints = new ArrayList<>();
        for (EndpointModel e : endpoints) {
            meshEndpoints.add(new MeshEndpoint(e.address(), e.ports(), labels.apply(s.namespace(), e), e.podName(),
                    e.ready()));
        }
        return new MeshService(s.fqdn(domain), s.name(), s.namespace(), s.clusterIp(), ports,
                Resolution.EDS, meshEndpoints, false, List.of());
    }

    public static MeshService of(IstioResource<ServiceEntry> se, String host) {
        ServiceEntry spec = se.spec();
        List<MeshPort> ports = new ArrayList<>();
        for (ServicePort p : spec.ports()) {
            ports.add(new MeshPort(p.name(), p.number(), protocolOf(p.protocol().isEmpty() ? p.name() : p.protocol(), "")));
        }
        List<MeshEndpoint> endpoints = new ArrayList<>();
        for (WorkloadEntry w : spec.endpoints()) {
            Map<String, Integer> byName = new HashMap<>();
            for (ServicePort p : spec.ports()) {
                byName.put(p.name(), w.ports().getOrDefault(p.name(), p.targetPort() != 0 ? p.targetPort() : p.number()));
            }
            endpoints.add(new MeshEndpoint(w.address(), byName, w.labels(), "", true));
        }
        Resolution resolution = switch (spec.resolution().name()) {
            case "DNS", "DNS_ROUND_ROBIN" -> Resolution.DNS;
            case "STATIC" -> Resolution.EDS;
            default -> Resolution.PASSTHROUGH;
        };
        if (resolution == Resolution.DNS && endpoints.isEmpty()) {
            Map<String, Integer> byName = new HashMap<>();
            spec.ports().forEach(p -> byName.put(p.name(), p.targetPort() != 0 ? p.targetPort() : p.number()));
            endpoints.add(new MeshEndpoint(host, byName, Map.of(), "", true));
        }
        return new MeshService(host, se.metadata().name(), se.metadata().namespace(),
                spec.addresses().isEmpty() ? "" : spec.addresses().get(0), ports, resolution, endpoints,
                "MESH_EXTERNAL".equals(spec.location().name()), spec.subjectAltNames());
    }

    /** Istio's protocol selection: appProtocol first, then the port name's prefix before '-'. */
    static String protocolOf(String name, String appProtocol) {
        String source = !appProtocol.isEmpty() ? appProtocol : name;
        String prefix = source.toLowerCase(Locale.ROOT);
        int dash = prefix.indexOf('-');
        if (dash > 0 && !prefix.startsWith("grpc-web")) {
            prefix = prefix.substring(0, dash);
        }
        return switch (prefix) {
            case "http", "http1" -> "HTTP";
            case "http2", "h2c", "kubernetes.io/h2c" -> "HTTP2";
            case "grpc" -> "GRPC";
            case "grpc-web" -> "GRPC-WEB";
            case "https" -> "HTTPS";
            case "tls" -> "TLS";
            case "tcp" -> "TCP";
            case "mongo" -> "MONGO";
            case "redis" -> "REDIS";
            case "mysql" -> "MYSQL";
            default -> "UNKNOWN";
        };
    }

    public MeshPort port(int number) {
        return ports.stream().filter(p -> p.port() == number).findFirst().orElse(null);
    }
}
