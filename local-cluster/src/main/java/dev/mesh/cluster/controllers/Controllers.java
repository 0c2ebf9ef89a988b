package dev.mesh.cluster.controllers;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/** The controllers of the local cluster, started together on one admin client and closed together. */
public final class Controllers implements AutoCloseable {

    private final List<AutoCloseable> running = new ArrayList<>();

    private Controllers() {
    }

    public static Controllers start(KubernetesClient client) {
        return new Controllers();
    }

    @Override
    public void close() {
        java.util.Collections.reverse(running);
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c + " failed", e);
            }
        }
    }
}
