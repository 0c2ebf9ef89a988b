package dev.mesh.distributor.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.KubeResource;
import dev.mesh.api.Manifest;
import dev.mesh.api.ManifestReader;
import dev.mesh.api.Manifests;
import dev.mesh.api.Problem;
import dev.mesh.distributor.model.EndpointModel;
import dev.mesh.distributor.model.MeshSnapshot;
import dev.mesh.distributor.model.NamespaceModel;
import dev.mesh.distributor.model.ObjectKey;
import dev.mesh.distributor.model.PodModel;
import dev.mesh.distributor.model.ServiceModel;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link MeshSnapshot} from manifest files, the way the watches build it from the API
 * server: the same conversions, and invalid Istio resources kept out (their problems returned).
 */
public final class MeshFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    public record Loaded(MeshSnapshot snapshot, List<Problem> rejected) {
    }

    private MeshFixtures() {
    }

    public static Loaded load(List<Path> paths) {
        Manifests manifests = ManifestReader.readPaths(paths).inNamespace("default");
        if (!manifests.readProblems().isEmpty()) {
            throw new IllegalArgumentException("fixture does not parse: " + manifests.readProblems());
        }
        Map<ObjectKey, ServiceModel> services = new HashMap<>();
        Map<ObjectKey, List<EndpointModel>> endpoints = new HashMap<>();
        Map<ObjectKey, PodModel> pods = new HashMap<>();
        Map<String, NamespaceModel> namespaces = new HashMap<>();
        Map<Kind<?>, List<IstioResource<?>>> istio = new LinkedHashMap<>();
        List<Problem> rejected = new ArrayList<>();
        for (Manifest m : manifests.resources()) {
            if (m instanceof IstioResource<?> r) {
                if (r.isValid()) {
                    istio.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r);
                } else {
                    rejected.addAll(r.errors());
                }
                continue;
            }
            KubeResource k = (KubeResource) m;
            try {
                switch (k.kindName()) {
                    case "Service" -> {
                        ServiceModel s = Convert.service(JSON.treeToValue(k.raw(), Service.class));
                        services.put(s.key(), s);
                    }
                    case "EndpointSlice" -> {
                        EndpointSlice slice = JSON.treeToValue(k.raw(), EndpointSlice.class);
                        endpoints.computeIfAbsent(new ObjectKey(k.metadata().namespace(), Convert.serviceOf(slice)),
                                key -> new ArrayList<>()).addAll(Convert.endpoints(slice));
                    }
                    case "Pod" -> {
                        PodModel p = Convert.pod(JSON.treeToValue(k.raw(), Pod.class));
                        pods.put(p.key(), p);
                    }
                    case "Namespace" -> {
                        NamespaceModel n = Convert.namespace(JSON.treeToValue(k.raw(), Namespace.class));
                        namespaces.put(n.name(), n);
                    }
                    default -> {
                        // Deployments and the like: the mesh reads their pods, not them
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("fixture " + k.displayName() + ": " + e.getMessage(), e);
            }
        }
        return new Loaded(new MeshSnapshot(1, services, endpoints, pods, namespaces, istio), rejected);
    }
}
