package dev.mesh.cli.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/** A rendered manifest: its objects, in the order they must be applied (Helm's install order). */
public record Manifest(List<HasMetadata> objects) {

    /**
     * Kinds in the order Helm installs them, CRDs first as Helm installs its crds/ before the templates; kinds not
     * listed go last, in manifest order.
     */
    private static final List<String> INSTALL_ORDER = List.of("CustomResourceDefinition", "Namespace",
            "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "ServiceAccount", "Secret",
            "ConfigMap", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicaSet",
            "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "Ingress",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration");

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    /** Parses a multi-document YAML stream; empty documents (comments only) are skipped as kubectl does. */
    public static Manifest parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.lines().noneMatch(l -> !l.isBlank() && !l.stripLeading().startsWith("#"))) {
                continue;
            }
            Object parsed = Serialization.unmarshal(document);
            if (parsed instanceof KubernetesResourceList<?> list) {
                objects.addAll(list.getItems());
            } else if (parsed instanceof HasMetadata object) {
                objects.add(object);
            } else {
                throw new IllegalArgumentException("not a Kubernetes object:\n" + document.strip());
            }
        }
        return of(objects);
    }

    /** The objects in install order (stable: objects of one kind keep their order). */
    public static Manifest of(List<HasMetadata> objects) {
        List<HasMetadata> ordered = new ArrayList<>(objects);
        ordered.sort(Comparator.comparingInt(Manifest::rank));
        return new Manifest(List.copyOf(ordered));
    }

    private static int rank(HasMetadata object) {
        int i = INSTALL_ORDER.indexOf(object.getKind());
        return i < 0 ? INSTALL_ORDER.size() : i;
    }

    /** The objects in the order they must be deleted: the reverse of installing. */
    public List<HasMetadata> deletionOrder() {
        List<HasMetadata> reversed = new ArrayList<>(objects);
        Collections.reverse(reversed);
        return reversed;
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** {@code Kind/name} (with the namespace when it has one), as messages name an object. */
    public static String describe(HasMetadata object) {
        String ns = object.getMetadata().getNamespace();
        return object.getKind() + "/" + object.getMetadata().getName() + (ns == null ? "" : " in namespace " + ns);
    }
}
