package dev.mesh.cluster.net;

import dev.mesh.cluster.node.HostCommands;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The local cluster's kube-proxy: keeps the host's nat table ({@link ServiceRules}) in step with Services and their
 * EndpointSlices, so that a Service's cluster IP (and a LoadBalancer's address) reaches a ready pod from any pod and
 * from the host. Turns on IPv4 forwarding while it runs (pods reach each other's Services through the host) and
 * puts the previous setting back on close. Leftover chains of a crashed run are removed at start.
 */
public final class ServiceProxy implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServiceProxy.class);
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    private static final String FORWARD = "MESH-FORWARD";
    private static final List<String[]> JUMPS = List.of(
            new String[] {"nat", "PREROUTING", ServiceRules.SERVICES},
            new String[] {"nat", "OUTPUT", ServiceRules.SERVICES},
            new String[] {"nat", "POSTROUTING", ServiceRules.POSTROUTING},
            new String[] {"filter", "FORWARD", FORWARD});

    private final KubernetesClient client;
    private final String podCidr;
    private final ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-cluster-service-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final String previousForwarding;
    private Set<String> chains = Set.of();
    private ScheduledFuture<?> pending;

    private ServiceProxy(KubernetesClient client, String podCidr, String previousForwarding) {
        this.client = client;
        this.podCidr = podCidr;
        this.previousForwarding = previousForwarding;
    }

    /** Installs the chains and starts following Services and EndpointSlices. Needs root. */
    public static ServiceProxy start(KubernetesClient client, String podCidr) throws IOException {
        removeChains();
        String forwarding = Files.readString(IP_FORWARD).strip();
        Files.writeString(IP_FORWARD, "1");
        ServiceProxy proxy = new ServiceProxy(client, podCidr, forwarding);
        try {
            HostCommands.run(List.of("iptables-restore", "--noflush"), "*nat\n:" + ServiceRules.SERVICES
                    + " - [0:0]\n:" + ServiceRules.POSTROUTING + " - [0:0]\nCOMMIT\n*filter\n:" + FORWARD
                    + " - [0:0]\n-A " + FORWARD + " -s " + podCidr + " -j ACCEPT\n-A " + FORWARD + " -d " + podCidr
                    + " -j ACCEPT\nCOMMIT\n");
            for (String[] jump : JUMPS) {
                HostCommands.run(List.of("iptables", "-t", jump[0], "-I", jump[1], "-j", jump[2]));
            }
            ResourceEventHandler<Object> onChange = new ResourceEventHandler<>() {
                @Override
                public void onAdd(Object obj) {
                    proxy.schedule();
                }

                @Override
                public void onUpdate(Object oldObj, Object newObj) {
                    proxy.schedule();
                }

                @Override
                public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
                    proxy.schedule();
                }
            };
            proxy.informers.add(client.services().inAnyNamespace().inform(cast(onChange)));
            proxy.informers.add(client.discovery().v1().endpointSlices().inAnyNamespace().inform(cast(onChange)));
            proxy.schedule();
            return proxy;
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }

    /** Coalesces bursts of changes (a rollout touches many objects) into one rewrite. */
    private synchronized void schedule() {
        if (pending == null || pending.isDone()) {
            pending = sync.schedule(this::sync, 100, TimeUnit.MILLISECONDS);
        }
    }

    private void sync() {
        try {
            List<ServiceRules.ServicePort> ports = servicePorts(
                    client.services().inAnyNamespace().list().getItems(),
                    client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems());
            ServiceRules.Restore restore = ServiceRules.nat(ports, podCidr, chains);
            HostCommands.run(List.of("iptables-restore", "--noflush"), restore.input());
            chains = restore.chains();
        } catch (RuntimeException e) {
            LOG.errorf("service rules not updated (retrying in 1 s): %s", e.getMessage());
            sync.schedule(this::sync, 1, TimeUnit.SECONDS);
        }
    }

    /** Service ports with their addresses and the ready endpoints of their slices, matched by port name. */
    static List<ServiceRules.ServicePort> servicePorts(List<Service> services, List<EndpointSlice> slices) {
        List<ServiceRules.ServicePort> out = new ArrayList<>();
        for (Service s : services) {
            String clusterIp = s.getSpec().getClusterIP();
            if (clusterIp == null || clusterIp.isEmpty() || "None".equals(clusterIp)) {
                continue;
            }
            List<String> addresses = new ArrayList<>(List.of(clusterIp));
            if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null) {
                for (LoadBalancerIngress in : s.getStatus().getLoadBalancer().getIngress()) {
                    if (in.getIp() != null && !addresses.contains(in.getIp())) {
                        addresses.add(in.getIp());
                    }
                }
            }
            String ns = s.getMetadata().getNamespace();
            String name = s.getMetadata().getName();
            for (io.fabric8.kubernetes.api.model.ServicePort port : s.getSpec().getPorts()) {
                String portName = port.getName() == null ? "" : port.getName();
                String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
                List<ServiceRules.Endpoint> endpoints = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (EndpointSlice slice : slices) {
                    if (!ns.equals(slice.getMetadata().getNamespace()) || slice.getMetadata().getLabels() == null
                            || !name.equals(slice.getMetadata().getLabels().get("kubernetes.io/service-name"))) {
                        continue;
                    }
                    Integer target = slice.getPorts().stream()
                            .filter(p -> portName.equals(p.getName() == null ? "" : p.getName()))
                            .map(p -> p.getPort()).findFirst().orElse(null);
                    if (target == null) {
                        continue;
                    }
                    for (var endpoint : slice.getEndpoints()) {
                        boolean ready = endpoint.getConditions() == null
                                || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
                        for (String ip : endpoint.getAddresses()) {
                            if (ready && seen.add(ip + ":" + target)) {
                                endpoints.add(new ServiceRules.Endpoint(ip, target));
                            }
                        }
                    }
                }
                out.add(new ServiceRules.ServicePort(ns + "/" + name, portName, protocol, addresses, port.getPort(),
                        endpoints));
            }
        }
        return out;
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        sync.shutdownNow();
        removeChains();
        try {
            Files.writeString(IP_FORWARD, previousForwarding);
        } catch (IOException e) {
            LOG.warnf("cannot put ip_forward back to %s: %s", previousForwarding, e.getMessage());
        }
    }

    /** Deletes every jump to and every chain of ours (all MESH-SVC-/MESH-SEP- chains too); absent ones are fine. */
    private static void removeChains() {
        for (String[] jump : JUMPS) {
            while (true) {
                try {
                    HostCommands.run(List.of("iptables", "-t", jump[0], "-D", jump[1], "-j", jump[2]));
                } catch (HostCommands.CommandFailedException e) {
                    break;
                }
            }
        }
        for (String table : List.of("nat", "filter")) {
            String saved = HostCommands.run(List.of("iptables-save", "-t", table));
            List<String> ours = saved.lines().filter(l -> l.startsWith(":MESH-")).map(l -> l.substring(1).split(" ")[0])
                    .filter(c -> c.equals(ServiceRules.SERVICES) || c.equals(ServiceRules.POSTROUTING)
                            || c.equals(FORWARD) || c.startsWith("MESH-SVC-") || c.startsWith("MESH-SEP-"))
                    .toList();
            if (ours.isEmpty()) {
                continue;
            }
            StringBuilder in = new StringBuilder("*" + table + "\n");
            ours.forEach(c -> in.append(':').append(c).append(" - [0:0]\n"));
            ours.forEach(c -> in.append("-X ").append(c).append('\n'));
            in.append("COMMIT\n");
            HostCommands.run(List.of("iptables-restore", "--noflush"), in.toString());
        }
    }
}
