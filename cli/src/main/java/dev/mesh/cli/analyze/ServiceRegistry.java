package dev.mesh.cli.analyze;

import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.ServiceEntry;
import dev.mesh.api.networking.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hosts a destination may name, with who may see them: ServiceEntry hosts by their {@code exportTo}, and
 * Kubernetes Services as {@code name.namespace.svc.cluster.local} by their {@code networking.istio.io/exportTo}
 * annotation. Lookups follow Istio's analyzers ({@code util.InitServiceEntryHostMap},
 * {@code util.GetDestinationHost}): exact host visible to all, then to the caller's namespace or export
 * targets, then wildcard ServiceEntry hosts.
 */
public final class ServiceRegistry {

    public static final String CLUSTER_DOMAIN = "svc.cluster.local";
    private static final String ALL = "*";
    private static final String LOCAL = ".";
    private static final Pattern FQDN = Pattern.compile("^(.+)\\.(.+)\\.svc\\.cluster\\.local$");

    /**
     * What a host resolves to.
     *
     * @param namespace the namespace of the Service or ServiceEntry that defines it
     * @param ports     its port numbers
     * @param selector  the labels of its workloads: a Service's selector, a ServiceEntry's workloadSelector;
     *                  empty when it has none
     * @param service   the Kubernetes Service, when the host is one
     */
    public record Target(String namespace, List<Integer> ports, Map<String, String> selector,
            Optional<KubeService> service) {
    }

    /** Keyed by {@code scope/fqdn}, the scope being a namespace or {@code *}; later definitions win, as in Istio. */
    private final Map<String, Target> hosts;

    private ServiceRegistry(Map<String, Target> hosts) {
        this.hosts = hosts;
    }

    static ServiceRegistry build(List<IstioResource<ServiceEntry>> serviceEntries, List<KubeService> services) {
        Map<String, Target> hosts = new LinkedHashMap<>();
        for (IstioResource<ServiceEntry> se : serviceEntries) {
            String ns = se.metadata().namespace();
            ServiceEntry spec = se.spec();
            List<Integer> ports = spec.ports().stream().map(ServicePort::number).toList();
            Map<String, String> selector = spec.workloadSelector() == null ? Map.of() : spec.workloadSelector().labels();
            Target target = new Target(ns, ports, selector, Optional.empty());
            List<String> exportTo = spec.exportTo();
            for (String host : spec.hosts()) {
                if (exportTo.isEmpty() || exportTo.contains(ALL)) {
                    hosts.put(key(ALL, ns, host), target);
                    continue;
                }
                for (String scope : exportTo) {
                    hosts.put(key(LOCAL.equals(scope) ? ns : scope, ns, host), target);
                }
            }
        }
        for (KubeService svc : services) {
            List<Integer> ports = svc.ports().stream().map(KubeService.Port::port).toList();
            Target target = new Target(svc.namespace(), ports, svc.selector(), Optional.of(svc));
            String annotation = svc.resource().metadata().annotations().getOrDefault(KubeService.EXPORT_TO_ANNOTATION, "");
            List<String> scopes = new ArrayList<>();
            if (annotation.isEmpty()) {
                scopes.add(ALL);
            } else {
                for (String scope : annotation.split(",")) {
                    scopes.add(LOCAL.equals(scope) ? svc.namespace() : scope);
                }
            }
            for (String scope : scopes) {
                hosts.put(key(scope, svc.namespace(), svc.name()), target);
            }
        }
        return new ServiceRegistry(hosts);
    }

    /**
     * What {@code host}, named by a resource in {@code sourceNamespace} exported to {@code exportTo}, resolves to.
     */
    public Optional<Target> lookup(String sourceNamespace, List<String> exportTo, String host) {
        Target t = hosts.get(key(ALL, sourceNamespace, host));
        if (t != null) {
            return Optional.of(t);
        }
        if (exportTo.isEmpty()) {
            t = hosts.get(key(sourceNamespace, sourceNamespace, host));
            if (t != null) {
                return Optional.of(t);
            }
        } else {
            for (String scope : exportTo) {
                t = hosts.get(key(LOCAL.equals(scope) ? sourceNamespace : scope, sourceNamespace, host));
                if (t != null) {
                    return Optional.of(t);
                }
            }
        }
        String hostSuffix = host.startsWith(ALL) ? host.substring(1) : host;
        for (Map.Entry<String, Target> e : hosts.entrySet()) {
            int slash = e.getKey().indexOf('/');
            String scope = e.getKey().substring(0, slash);
            String seHost = e.getKey().substring(slash + 1);
            if (!seHost.startsWith(ALL) || !(ALL.equals(scope) || scope.equals(sourceNamespace))) {
                continue;
            }
            if (hostSuffix.endsWith(seHost.substring(1))) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** {@code host} as a FQDN: a short name ({@code reviews}) is qualified with {@code namespace}. */
    public static String toFqdn(String namespace, String host) {
        if (!host.startsWith(ALL) && !host.contains(".")) {
            return host + "." + namespace + "." + CLUSTER_DOMAIN;
        }
        return host;
    }

    /**
     * The {@code namespace/name} a host stands for: parsed from a {@code name.namespace.svc.cluster.local} FQDN,
     * else the host itself in {@code defaultNamespace} (Istio's {@code util.GetResourceNameFromHost}).
     */
    public static String resourceNameOf(String defaultNamespace, String host) {
        Matcher m = FQDN.matcher(host);
        if (m.matches()) {
            return m.group(2) + "/" + m.group(1);
        }
        return defaultNamespace + "/" + host;
    }

    private static String key(String scope, String namespace, String host) {
        return scope + "/" + toFqdn(namespace, host);
    }
}
