package dev.mesh.cluster.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The controllers of the local cluster (workloads, EndpointSlices and load balancers, namespaces),
 * started together on one admin client with one shared pod informer, and closed together.
 */
public final class Controllers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Controllers.class);

    private final List<AutoCloseable> running = new ArrayList<>();

    private Controllers() {
    }

    public static Controllers start(KubernetesClient client) {
        Controllers c = new Controllers();
        try {
            SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().runnableInformer(0);
            c.running.add(pods::close);
            c.running.add(new NamespaceController(client));
            c.running.add(new WorkloadController(client, Clock.systemUTC(), pods));
            c.running.add(new ServiceController(client, pods));
            pods.start().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            c.close();
            throw new IllegalStateException("the local cluster's controllers did not start: " + e.getMessage(), e);
        }
        return c;
    }

    @Override
    public void close() {
        List<AutoCloseable> reversed = new ArrayList<>(running);
        Collections.reverse(reversed);
        running.clear();
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warnf(e, "closing controller %s failed", c);
            }
        }
    }
}
