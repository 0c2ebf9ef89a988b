package dev.mesh.distributor.kube;

import dev.mesh.distributor.model.EndpointModel;
import dev.mesh.distributor.model.NamespaceModel;
import dev.mesh.distributor.model.PodModel;
import dev.mesh.distributor.model.ServiceModel;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Pure conversions from Kubernetes objects to the mesh's model. */
final class Convert {

    private Convert() {
    }

    static ServiceModel service(Service s) {
        List<ServiceModel.Port> ports = new ArrayList<>();
        if (s.getSpec().getPorts() != null) {
            for (ServicePort p : s.getSpec().getPorts()) {
                ports.add(new ServiceModel.Port(nz(p.getName()), p.getPort() == null ? 0 : p.getPort(),
                        targetPort(p.getTargetPort()), p.getProtocol() == null ? "TCP" : p.getProtocol(),
                        nz(p.getAppProtocol())));
            }
        }
        String clusterIp = s.getSpec().getClusterIP();
        return new ServiceModel(s.getMetadata().getName(), s.getMetadata().getNamespace(),
                clusterIp == null || clusterIp.equals("None") ? "" : clusterIp, map(s.getSpec().getSelector()),
                map(s.getMetadata().getLabels()), ports);
    }

    private static String targetPort(IntOrString target) {
        if (target == null) {
            return "";
        }
        return target.getIntVal() != null ? target.getIntVal().toString() : nz(target.getStrVal());
    }

    /** The endpoints of one slice; its service is the {@code kubernetes.io/service-name} label. */
    static List<EndpointModel> endpoints(EndpointSlice slice) {
        Map<String, Integer> ports = new HashMap<>();
        if (slice.getPorts() != null) {
            for (EndpointPort p : slice.getPorts()) {
                if (p.getPort() != null) {
                    ports.put(nz(p.getName()), p.getPort());
                }
            }
        }
        List<EndpointModel> endpoints = new ArrayList<>();
        if (slice.getEndpoints() == null) {
            return endpoints;
        }
        for (Endpoint e : slice.getEndpoints()) {
            boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                    || e.getConditions().getReady();
            String pod = e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind())
                    ? nz(e.getTargetRef().getName()) : "";
            if (e.getAddresses() != null) {
                for (String address : e.getAddresses()) {
                    endpoints.add(new EndpointModel(address, ports, pod, ready));
                }
            }
        }
        return endpoints;
    }

    static String serviceOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        return labels == null ? "" : nz(labels.get("kubernetes.io/service-name"));
    }

    static PodModel pod(Pod p) {
        List<PodModel.ContainerPort> ports = new ArrayList<>();
        boolean sidecar = false;
        List<Container> containers = new ArrayList<>();
        if (p.getSpec().getContainers() != null) {
            containers.addAll(p.getSpec().getContainers());
        }
        if (p.getSpec().getInitContainers() != null) {
            containers.addAll(p.getSpec().getInitContainers());
        }
        for (Container c : containers) {
            sidecar |= "istio-proxy".equals(c.getName());
            if (c.getPorts() != null) {
                for (ContainerPort cp : c.getPorts()) {
                    ports.add(new PodModel.ContainerPort(nz(cp.getName()), cp.getContainerPort(),
                            cp.getProtocol() == null ? "TCP" : cp.getProtocol()));
                }
            }
        }
        String ip = p.getStatus() == null ? "" : nz(p.getStatus().getPodIP());
        String sa = p.getSpec().getServiceAccountName() == null ? "default" : p.getSpec().getServiceAccountName();
        return new PodModel(p.getMetadata().getName(), p.getMetadata().getNamespace(), ip,
                map(p.getMetadata().getLabels()), sa, ports, sidecar);
    }

    static NamespaceModel namespace(Namespace n) {
        return new NamespaceModel(n.getMetadata().getName(), map(n.getMetadata().getLabels()));
    }

    private static Map<String, String> map(Map<String, String> m) {
        if (m == null) {
            return Map.of();
        }
        Map<String, String> copy = new HashMap<>();
        m.forEach((k, v) -> copy.put(k, Objects.requireNonNullElse(v, "")));
        return copy;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
