package dev.mesh.api;

import com.fasterxml.jackson.databind.JsonNode;

/** One object read from a manifest: an Istio resource, or any other Kubernetes object. */
public sealed interface Manifest permits IstioResource, KubeResource {

    String apiVersion();

    /** The object's kind as written, for instance {@code VirtualService} or {@code Deployment}. */
    String kindName();

    ObjectMeta metadata();

    /** The document exactly as read, unknown fields included. */
    JsonNode raw();

    /** Where it was read from, for instance {@code gateway.yaml}. */
    String source();

    /** {@code Kind namespace/name}, or {@code Kind name} without a namespace: how messages name it. */
    default String displayName() {
        return displayName(kindName(), metadata());
    }

    static String displayName(String kind, ObjectMeta meta) {
        return meta.namespace().isEmpty() ? kind + " " + meta.name() : kind + " " + meta.namespace() + "/" + meta.name();
    }

    /** The same object placed in {@code namespace}, if it has none. */
    Manifest inNamespace(String namespace);
}
