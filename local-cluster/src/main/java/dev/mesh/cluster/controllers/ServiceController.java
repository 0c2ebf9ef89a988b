package dev.mesh.cluster.controllers;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Services → EndpointSlices ({@code discovery.k8s.io/v1}), as the EndpointSlice controller does:
 * one slice per Service with a selector, labelled {@code kubernetes.io/service-name}, one endpoint
 * per selected pod that has an IP (ready/serving/terminating from the pod's Ready condition,
 * targetRef to the pod, so that consumers find the pod's labels), ports named as the Service's
 * with target ports resolved (named ports through the pod's container ports). A LoadBalancer
 * Service's {@code status.loadBalancer.ingress[0].ip} is the IP of a ready endpoint pod, which
 * the local node's bridge makes reachable from the host. Deleting a Service deletes its slices.
 */
final class ServiceController implements AutoCloseable {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    static final String MANAGED_BY = "endpointslice-controller.k8s.io";

    private final KubernetesClient client;
    private final KeyQueue queue;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<Pod> pods;

    ServiceController(KubernetesClient client, SharedIndexInformer<Pod> pods) {
        this.client = client;
        this.pods = pods;
        this.queue = new KeyQueue("endpointslices", this::reconcile);
        this.services = client.services().inAnyNamespace().inform(Informers.onAny(s -> queue.add(Informers.key(s))), 0);
        this.slices = client.discovery().v1().endpointSlices().inAnyNamespace().inform(Informers.onAny(this::sliceChanged), 0);
        pods.addEventHandler(Informers.onAny(this::podChanged));
    }

    private void sliceChanged(EndpointSlice slice) {
        String svc = slice.getMetadata().getLabels() == null ? null : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
        if (svc != null) {
            queue.add(KeyQueue.key(slice.getMetadata().getNamespace(), svc));
        }
    }

    private void podChanged(Pod pod) {
        for (Service s : services.getStore().list()) {
            if (s.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())) {
                queue.add(Informers.key(s));
            }
        }
    }

    private void reconcile(String key) {
        String ns = KeyQueue.namespaceOf(key);
        String name = KeyQueue.nameOf(key);
        Service svc = services.getStore().getByKey(key);
        List<EndpointSlice> existing = slices.getStore().list().stream()
                .filter(s -> ns.equals(s.getMetadata().getNamespace()) && s.getMetadata().getLabels() != null
                        && name.equals(s.getMetadata().getLabels().get(SERVICE_NAME_LABEL))
                        && MANAGED_BY.equals(s.getMetadata().getLabels().get(MANAGED_BY_LABEL)))
                .toList();
        if (svc == null || svc.getSpec().getSelector() == null || svc.getSpec().getSelector().isEmpty()) {
            for (EndpointSlice s : existing) {
                delete(s);
            }
            return;
        }
        List<Pod> selected = pods.getStore().list().stream()
                .filter(p -> ns.equals(p.getMetadata().getNamespace()) && matches(svc.getSpec().getSelector(), p)
                        && p.getStatus() != null && p.getStatus().getPodIP() != null && !p.getStatus().getPodIP().isEmpty()
                        && !"Failed".equals(p.getStatus().getPhase()) && !"Succeeded".equals(p.getStatus().getPhase()))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
        List<Endpoint> endpoints = new ArrayList<>();
        for (Pod p : selected) {
            boolean terminating = Informers.terminating(p);
            boolean ready = PodReadiness.ready(p) && !terminating;
            endpoints.add(new EndpointBuilder().withAddresses(p.getStatus().getPodIP())
                    .withNewConditions().withReady(ready).withServing(PodReadiness.ready(p)).withTerminating(terminating).endConditions()
                    .withNodeName(p.getSpec().getNodeName())
                    .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withName(p.getMetadata().getName())
                            .withNamespace(ns).withUid(p.getMetadata().getUid()).build())
                    .build());
        }
        List<EndpointPort> ports = new ArrayList<>();
        for (ServicePort sp : svc.getSpec().getPorts() == null ? List.<ServicePort>of() : svc.getSpec().getPorts()) {
            Integer target = resolve(sp, selected);
            if (target != null) {
                ports.add(new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName()).withPort(target)
                        .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol()).withAppProtocol(sp.getAppProtocol()).build());
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(SERVICE_NAME_LABEL, name);
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        EndpointSlice current = existing.isEmpty() ? null : existing.get(0);
        for (EndpointSlice extra : existing.subList(Math.min(1, existing.size()), existing.size())) {
            delete(extra);
        }
        if (current == null) {
            EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withGenerateName(name + "-").withNamespace(ns)
                    .withLabels(labels).withOwnerReferences(Informers.ownerRef(svc)).endMetadata()
                    .withAddressType("IPv4").withEndpoints(endpoints).withPorts(ports).build();
            EndpointSlice created = client.discovery().v1().endpointSlices().inNamespace(ns).resource(slice).create();
            Informers.awaitCache(() -> slices.getStore().getByKey(Informers.key(created)) != null);
        } else if (!Objects.equals(current.getEndpoints(), endpoints) || !Objects.equals(current.getPorts(), ports)) {
            client.discovery().v1().endpointSlices().inNamespace(ns).withName(current.getMetadata().getName()).edit(s -> {
                s.setEndpoints(endpoints);
                s.setPorts(ports);
                s.getMetadata().setLabels(labels);
                return s;
            });
        }
        if ("LoadBalancer".equals(svc.getSpec().getType())) {
            updateLoadBalancer(svc, endpoints);
        }
    }

    private void updateLoadBalancer(Service svc, List<Endpoint> endpoints) {
        List<String> ready = endpoints.stream().filter(e -> Boolean.TRUE.equals(e.getConditions().getReady()))
                .map(e -> e.getAddresses().get(0)).toList();
        String currentIp = svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null
                || svc.getStatus().getLoadBalancer().getIngress() == null || svc.getStatus().getLoadBalancer().getIngress().isEmpty()
                ? null : svc.getStatus().getLoadBalancer().getIngress().get(0).getIp();
        String wanted = currentIp != null && ready.contains(currentIp) ? currentIp : ready.isEmpty() ? null : ready.get(0);
        if (Objects.equals(currentIp, wanted)) {
            return;
        }
        client.services().inNamespace(svc.getMetadata().getNamespace()).withName(svc.getMetadata().getName()).editStatus(s -> {
            s.getStatus().setLoadBalancer(wanted == null ? new LoadBalancerStatusBuilder().build()
                    : new LoadBalancerStatusBuilder().withIngress(new LoadBalancerIngressBuilder().withIp(wanted)
                            .withIpMode("VIP").build()).build());
            return s;
        });
    }

    /** The port on the pods that {@code sp} targets; a named target port is looked up in the pods' containers. */
    private static Integer resolve(ServicePort sp, List<Pod> pods) {
        IntOrString target = sp.getTargetPort();
        if (target == null) {
            return sp.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        String named = target.getStrVal();
        if (named != null && named.matches("\\d+")) {
            return Integer.parseInt(named);
        }
        for (Pod p : pods) {
            for (var c : p.getSpec().getContainers()) {
                for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                    if (named != null && named.equals(cp.getName())) {
                        return cp.getContainerPort();
                    }
                }
            }
        }
        return pods.isEmpty() ? null : sp.getPort();
    }

    private static boolean matches(Map<String, String> selector, Pod p) {
        Map<String, String> labels = p.getMetadata().getLabels();
        if (labels == null) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private void delete(EndpointSlice s) {
        try {
            client.discovery().v1().endpointSlices().resource(s).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        services.close();
        slices.close();
        queue.close();
    }
}
