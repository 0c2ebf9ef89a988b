package dev.mesh.distributor.model;

import java.util.Map;

public record NamespaceModel(String name, Map<String, String> labels) {

    public NamespaceModel {
        labels = Map.copyOf(labels);
    }
}
