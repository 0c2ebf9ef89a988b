package dev.mesh.cli.precheck;

import dev.mesh.cli.install.Manifest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checks of {@code meshctl x precheck}: what would make {@code meshctl install} fail or clash with another mesh,
 * each found problem with its fix.
 */
public final class Precheck {

    public static final int MIN_MAJOR = 1;
    public static final int MIN_MINOR = 23;
    static final Set<String> ISTIO_GROUPS = Set.of("networking.istio.io", "security.istio.io");
    static final String PART_OF = "app.kubernetes.io/part-of";
    static final String OURS = "mesh";

    private final KubernetesClient client;

    public Precheck(KubernetesClient client) {
        this.client = client;
    }

    /** One check's outcome: what passed, or the problems with their fixes. */
    public record Result(String check, String passed, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    public record Problem(String what, String fix) {
    }

    /** A permission the install needs: {@code verb} on {@code resource.group} in {@code namespace} (null: cluster). */
    public record Permission(String verb, String group, String resource, String namespace) {
        String describe() {
            return verb + " " + resource + (group.isEmpty() ? "" : "." + group)
                    + (namespace == null ? " (cluster-wide)" : " in namespace " + namespace);
        }
    }

    public List<Result> run(Manifest manifest, String meshNamespace) {
        return List.of(kubernetesVersion(), permissions(needed(manifest, meshNamespace)), istioCrds(),
                injectionWebhooks());
    }

    Result kubernetesVersion() {
        VersionInfo v = client.getKubernetesVersion();
        String major = digits(v.getMajor());
        String minor = digits(v.getMinor());
        String shown = v.getMajor() + "." + v.getMinor();
        if (major.isEmpty() || minor.isEmpty()) {
            return new Result("Kubernetes version", null, List.of(new Problem("the API server reports version \""
                    + shown + "\", which is not major.minor", "check that the kubeconfig points at a Kubernetes API"
                    + " server")));
        }
        int ma = Integer.parseInt(major);
        int mi = Integer.parseInt(minor);
        if (ma < MIN_MAJOR || ma == MIN_MAJOR && mi < MIN_MINOR) {
            return new Result("Kubernetes version", null, List.of(new Problem("Kubernetes " + ma + "." + mi
                    + " is older than " + MIN_MAJOR + "." + MIN_MINOR + ", the oldest the mesh supports",
                    "upgrade the cluster to Kubernetes " + MIN_MAJOR + "." + MIN_MINOR + " or later")));
        }
        return new Result("Kubernetes version", ma + "." + mi + " (" + MIN_MAJOR + "." + MIN_MINOR + " or later"
                + " needed)", List.of());
    }

    private static String digits(String s) {
        return s == null ? "" : s.replaceAll("[^0-9].*$", "");
    }

    /** {@code create} on every kind the chart renders, where it renders it; and the mesh's namespace itself. */
    public static List<Permission> needed(Manifest manifest, String meshNamespace) {
        Set<Permission> out = new LinkedHashSet<>();
        out.add(new Permission("create", "", "namespaces", null));
        for (HasMetadata object : manifest.objects()) {
            String apiVersion = object.getApiVersion();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String resource = HasMetadata.getPlural(object.getClass());
            if (resource == null || object.getClass() == io.fabric8.kubernetes.api.model.GenericKubernetesResource.class) {
                resource = object.getKind().toLowerCase(Locale.ROOT) + "s";
            }
            String namespace = object instanceof Namespaced
                    ? (object.getMetadata().getNamespace() == null ? meshNamespace : object.getMetadata().getNamespace())
                    : null;
            out.add(new Permission("create", group, resource, namespace));
        }
        return List.copyOf(out);
    }

    Result permissions(List<Permission> needed) {
        List<Problem> problems = new ArrayList<>();
        String subject = null;
        for (Permission p : needed) {
            SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec()
                    .withNewResourceAttributes().withVerb(p.verb()).withGroup(p.group()).withResource(p.resource())
                    .withNamespace(p.namespace()).endResourceAttributes().endSpec().build();
            SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(review);
            boolean allowed = answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
            if (!allowed) {
                String reason = answer.getStatus() == null || answer.getStatus().getReason() == null
                        || answer.getStatus().getReason().isBlank() ? "" : " (" + answer.getStatus().getReason() + ")";
                if (subject == null) {
                    subject = bindingSubject();
                }
                problems.add(new Problem("the current user cannot " + p.describe() + reason,
                        "grant it, e.g. `kubectl create clusterrolebinding mesh-installer --clusterrole=cluster-admin "
                                + subject + "`, or install with a kubeconfig whose user has it"));
            }
        }
        return new Result("Install permissions", needed.size() + " of " + needed.size() + " allowed (create on every"
                + " kind the chart renders)", problems);
    }

    /**
     * The current user as {@code kubectl create clusterrolebinding} takes it ({@code --serviceaccount=<ns>:<name>} or
     * {@code --user=<name>}), from a SelfSubjectReview; {@code --user=<you>} when the API server does not answer one
     * (Kubernetes before 1.28).
     */
    String bindingSubject() {
        String name;
        try {
            SelfSubjectReview review = client.authentication().v1().selfSubjectReviews().create(
                    new SelfSubjectReviewBuilder().build());
            name = review.getStatus() == null || review.getStatus().getUserInfo() == null ? null
                    : review.getStatus().getUserInfo().getUsername();
        } catch (KubernetesClientException e) {
            // Only the fix's wording depends on it: the placeholder says what to fill in.
            name = null;
        }
        if (name == null || name.isBlank()) {
            return "--user=<you>";
        }
        String[] parts = name.split(":", -1);
        if (parts.length == 4 && parts[0].equals("system") && parts[1].equals("serviceaccount")) {
            return "--serviceaccount=" + parts[2] + ":" + parts[3];
        }
        return "--user=" + name;
    }

    Result istioCrds() {
        List<Problem> problems = new ArrayList<>();
        for (CustomResourceDefinition crd : client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
            String group = crd.getSpec() == null ? "" : crd.getSpec().getGroup();
            if (!ISTIO_GROUPS.contains(group)) {
                continue;
            }
            Map<String, String> labels = crd.getMetadata().getLabels();
            String partOf = labels == null ? null : labels.get(PART_OF);
            if (!OURS.equals(partOf)) {
                problems.add(new Problem("CRD " + crd.getMetadata().getName() + " is installed by another mesh ("
                        + PART_OF + "=" + (partOf == null ? "<unset>" : partOf) + ")",
                        "uninstall the other mesh first (for Istio: istioctl uninstall --purge -y, then delete its"
                                + " CRDs: kubectl delete crd " + crd.getMetadata().getName() + "); two meshes cannot"
                                + " own Istio's API in one cluster"));
            }
        }
        return new Result("Istio CRDs", "none installed by another mesh", problems);
    }

    Result injectionWebhooks() {
        List<Problem> problems = new ArrayList<>();
        for (MutatingWebhookConfiguration config : client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .list().getItems()) {
            Map<String, String> labels = config.getMetadata().getLabels();
            if (labels != null && OURS.equals(labels.get(PART_OF))) {
                continue;
            }
            for (MutatingWebhook webhook : config.getWebhooks() == null ? List.<MutatingWebhook>of()
                    : config.getWebhooks()) {
                if (selectsInjectionLabel(webhook.getNamespaceSelector())
                        || selectsInjectionLabel(webhook.getObjectSelector())) {
                    problems.add(new Problem("MutatingWebhookConfiguration " + config.getMetadata().getName()
                            + " (webhook " + webhook.getName() + ") also injects into namespaces labelled"
                            + " istio-injection=enabled", "remove it (kubectl delete mutatingwebhookconfiguration "
                            + config.getMetadata().getName() + ") or uninstall the mesh it belongs to; otherwise"
                            + " pods get two sidecars"));
                    break;
                }
            }
        }
        return new Result("Injection webhooks", "none of another mesh selects istio-injection=enabled", problems);
    }

    /** A selector that matches a namespace labelled {@code istio-injection=enabled} because of that label. */
    static boolean selectsInjectionLabel(LabelSelector selector) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null && "enabled".equals(selector.getMatchLabels().get("istio-injection"))) {
            return true;
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                if ("istio-injection".equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null
                        && r.getValues().contains("enabled")) {
                    return true;
                }
            }
        }
        return false;
    }
}
