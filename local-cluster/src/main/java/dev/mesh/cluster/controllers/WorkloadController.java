package dev.mesh.cluster.controllers;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Deployments → ReplicaSets → Pods, as the kube-controller-manager does for the walkthrough: one
 * ReplicaSet per pod template ({@code <deploy>-<pod-template-hash>}), pods
 * {@code <rs>-<random5>}; on a template change the new ReplicaSet scales up and the old ones
 * scale down as new pods become ready (so a rollout never drops below the ready count it had);
 * status (replicas, updated, ready, available, observedGeneration, conditions) from the pods'
 * Ready condition; deleting a Deployment deletes its ReplicaSets, deleting a ReplicaSet its pods.
 */
final class WorkloadController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WorkloadController.class);
    static final String HASH_LABEL = "pod-template-hash";
    static final String REVISION = "deployment.kubernetes.io/revision";
    private static final String SAFE = "bcdfghjklmnpqrstvwxz2456789";

    private final KubernetesClient client;
    private final Clock clock;
    private final KeyQueue deployments;
    private final KeyQueue replicaSets;
    private final SharedIndexInformer<Deployment> deployInformer;
    private final SharedIndexInformer<ReplicaSet> rsInformer;
    private final SharedIndexInformer<Pod> podInformer;

    WorkloadController(KubernetesClient client, Clock clock, SharedIndexInformer<Pod> pods) {
        this.client = client;
        this.clock = clock;
        this.podInformer = pods;
        this.deployments = new KeyQueue("deployments", this::reconcileDeployment);
        this.replicaSets = new KeyQueue("replicasets", this::reconcileReplicaSet);
        this.deployInformer = client.apps().deployments().inAnyNamespace().inform(Informers.onAny(
                d -> deployments.add(Informers.key(d)), this::deploymentDeleted), 0);
        this.rsInformer = client.apps().replicaSets().inAnyNamespace().inform(Informers.onAny(this::replicaSetChanged,
                this::replicaSetDeleted), 0);
        pods.addEventHandler(Informers.onAny(this::podChanged));
    }

    private void podChanged(Pod pod) {
        OwnerReference rs = Informers.controller(pod, "ReplicaSet");
        if (rs != null) {
            replicaSets.add(KeyQueue.key(pod.getMetadata().getNamespace(), rs.getName()));
        }
    }

    private void replicaSetChanged(ReplicaSet rs) {
        replicaSets.add(Informers.key(rs));
        OwnerReference d = Informers.controller(rs, "Deployment");
        if (d != null) {
            deployments.add(KeyQueue.key(rs.getMetadata().getNamespace(), d.getName()));
        }
    }

    private void deploymentDeleted(Deployment d) {
        for (ReplicaSet rs : rsInformer.getStore().list()) {
            if (Informers.ownedBy(rs, d.getMetadata().getUid())) {
                delete(() -> client.apps().replicaSets().resource(rs).delete(), rs);
            }
        }
    }

    private void replicaSetDeleted(ReplicaSet rs) {
        for (Pod p : podInformer.getStore().list()) {
            if (Informers.ownedBy(p, rs.getMetadata().getUid())) {
                delete(() -> client.pods().resource(p).delete(), p);
            }
        }
        replicaSetChanged(rs);
    }

    private static void delete(Runnable action, io.fabric8.kubernetes.api.model.HasMetadata what) {
        try {
            action.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.warnf("deleting %s %s failed: %s", what.getKind(), Informers.key(what), e.getMessage());
            }
        }
    }

    // ---- Deployment ----

    private void reconcileDeployment(String key) {
        Deployment d = deployInformer.getStore().getByKey(key);
        if (d == null || Informers.terminating(d)) {
            return;
        }
        String ns = d.getMetadata().getNamespace();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        String hash = templateHash(d.getSpec().getTemplate());
        List<ReplicaSet> owned = new ArrayList<>();
        for (ReplicaSet rs : rsInformer.getStore().list()) {
            if (ns.equals(rs.getMetadata().getNamespace()) && Informers.ownedBy(rs, d.getMetadata().getUid())
                    && !Informers.terminating(rs)) {
                owned.add(rs);
            }
        }
        ReplicaSet current = owned.stream().filter(rs -> hash.equals(labels(rs).get(HASH_LABEL))).findFirst().orElse(null);
        List<ReplicaSet> old = owned.stream().filter(rs -> rs != current).toList();
        if (current == null) {
            int revision = 1 + owned.stream().mapToInt(WorkloadController::revision).max().orElse(0);
            createReplicaSet(d, hash, desired, revision);
            return;
        }
        if (replicas(current) != desired) {
            scale(current, desired);
        }
        int newReady = (int) podsOf(current).stream().filter(PodReadiness::ready).count();
        int oldBudget = Math.max(0, desired - newReady);
        for (ReplicaSet rs : old.stream().sorted(Comparator.comparingInt(WorkloadController::revision).reversed()).toList()) {
            int target = Math.min(replicas(rs), oldBudget);
            oldBudget -= target;
            if (replicas(rs) != target) {
                scale(rs, target);
            }
        }
        updateDeploymentStatus(d, current, old, desired);
    }

    private void createReplicaSet(Deployment d, String hash, int replicas, int revision) {
        PodTemplateSpec template = Serialization.clone(d.getSpec().getTemplate());
        Map<String, String> podLabels = new LinkedHashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        podLabels.put(HASH_LABEL, hash);
        template.getMetadata().setLabels(podLabels);
        LabelSelector selector = Serialization.clone(d.getSpec().getSelector());
        Map<String, String> matchLabels = new LinkedHashMap<>(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels());
        matchLabels.put(HASH_LABEL, hash);
        selector.setMatchLabels(matchLabels);
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName(d.getMetadata().getName() + "-" + hash)
                .withNamespace(d.getMetadata().getNamespace()).withLabels(podLabels)
                .addToAnnotations(REVISION, Integer.toString(revision)).withOwnerReferences(Informers.ownerRef(d)).endMetadata()
                .withNewSpec().withReplicas(replicas).withSelector(selector).withTemplate(template).endSpec().build();
        try {
            client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).resource(rs).create();
            Informers.awaitCache(() -> rsInformer.getStore().getByKey(Informers.key(rs)) != null);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private void scale(ReplicaSet rs, int replicas) {
        client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName())
                .edit(r -> {
                    r.getSpec().setReplicas(replicas);
                    return r;
                });
    }

    private void updateDeploymentStatus(Deployment d, ReplicaSet current, List<ReplicaSet> old, int desired) {
        List<Pod> newPods = podsOf(current);
        int total = newPods.size();
        int ready = (int) newPods.stream().filter(PodReadiness::ready).count();
        for (ReplicaSet rs : old) {
            List<Pod> pods = podsOf(rs);
            total += pods.size();
            ready += (int) pods.stream().filter(PodReadiness::ready).count();
        }
        int updated = newPods.size();
        int allPods = total;
        int allReady = ready;
        int available = ready;
        boolean complete = updated == desired && total == desired && available >= desired;
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        List<DeploymentCondition> conditions = new ArrayList<>();
        conditions.add(condition(d, "Available", available >= desired ? "True" : "False",
                available >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                available >= desired ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", now));
        conditions.add(condition(d, "Progressing", "True", complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                "ReplicaSet \"" + current.getMetadata().getName() + "\" " + (complete ? "has successfully progressed." : "is progressing."), now));
        var st = d.getStatus();
        boolean same = st != null && eq(st.getObservedGeneration(), d.getMetadata().getGeneration())
                && eq(st.getReplicas(), total) && eq(st.getUpdatedReplicas(), updated) && eq(st.getReadyReplicas(), ready)
                && eq(st.getAvailableReplicas(), available) && conditionsEqual(st.getConditions(), conditions);
        if (same) {
            return;
        }
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).editStatus(x -> {
            var s = x.getStatus() == null ? new io.fabric8.kubernetes.api.model.apps.DeploymentStatus() : x.getStatus();
            s.setObservedGeneration(x.getMetadata().getGeneration());
            s.setReplicas(allPods);
            s.setUpdatedReplicas(updated);
            s.setReadyReplicas(allReady);
            s.setAvailableReplicas(available);
            s.setUnavailableReplicas(Math.max(0, desired - available));
            s.setConditions(conditions);
            x.setStatus(s);
            return x;
        });
    }

    private static DeploymentCondition condition(Deployment d, String type, String status, String reason, String message, String now) {
        String since = now;
        if (d.getStatus() != null && d.getStatus().getConditions() != null) {
            for (DeploymentCondition c : d.getStatus().getConditions()) {
                if (type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    since = c.getLastTransitionTime();
                }
            }
        }
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastUpdateTime(now).withLastTransitionTime(since).build();
    }

    private static boolean conditionsEqual(List<DeploymentCondition> a, List<DeploymentCondition> b) {
        if (a == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            DeploymentCondition x = a.get(i);
            DeploymentCondition y = b.get(i);
            if (!x.getType().equals(y.getType()) || !x.getStatus().equals(y.getStatus()) || !x.getReason().equals(y.getReason())) {
                return false;
            }
        }
        return true;
    }

    private static boolean eq(Number a, Number b) {
        return a != null && b != null && a.longValue() == b.longValue();
    }

    // ---- ReplicaSet ----

    private void reconcileReplicaSet(String key) {
        ReplicaSet rs = rsInformer.getStore().getByKey(key);
        if (rs == null || Informers.terminating(rs)) {
            return;
        }
        int desired = replicas(rs);
        List<Pod> pods = podsOf(rs);
        if (pods.size() < desired) {
            for (int i = pods.size(); i < desired; i++) {
                createPod(rs);
            }
            return;
        }
        if (pods.size() > desired) {
            // Not-ready pods go first, then the newest (as the ReplicaSet controller ranks them).
            List<Pod> victims = new ArrayList<>(pods);
            victims.sort(Comparator.comparing((Pod p) -> PodReadiness.ready(p))
                    .thenComparing((Pod p) -> p.getMetadata().getCreationTimestamp(), Comparator.reverseOrder()));
            for (Pod p : victims.subList(0, pods.size() - desired)) {
                delete(() -> client.pods().resource(p).delete(), p);
                Informers.awaitCache(() -> podInformer.getStore().getByKey(Informers.key(p)) == null);
            }
            return;
        }
        int ready = (int) pods.stream().filter(PodReadiness::ready).count();
        var st = rs.getStatus();
        if (st != null && eq(st.getReplicas(), pods.size()) && eq(st.getReadyReplicas(), ready)
                && eq(st.getAvailableReplicas(), ready) && eq(st.getObservedGeneration(), rs.getMetadata().getGeneration())) {
            return;
        }
        client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName()).editStatus(x -> {
            var s = x.getStatus() == null ? new io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus() : x.getStatus();
            s.setReplicas(pods.size());
            s.setFullyLabeledReplicas(pods.size());
            s.setReadyReplicas(ready);
            s.setAvailableReplicas(ready);
            s.setObservedGeneration(x.getMetadata().getGeneration());
            x.setStatus(s);
            return x;
        });
    }

    private void createPod(ReplicaSet rs) {
        PodTemplateSpec t = rs.getSpec().getTemplate();
        Pod pod = new PodBuilder().withNewMetadata().withGenerateName(rs.getMetadata().getName() + "-")
                .withNamespace(rs.getMetadata().getNamespace())
                .withLabels(t.getMetadata() == null ? Map.of() : t.getMetadata().getLabels())
                .withAnnotations(t.getMetadata() == null || t.getMetadata().getAnnotations() == null ? new HashMap<>()
                        : t.getMetadata().getAnnotations())
                .withOwnerReferences(Informers.ownerRef(rs)).endMetadata()
                .withSpec(Serialization.clone(t.getSpec())).build();
        Pod created = client.pods().inNamespace(rs.getMetadata().getNamespace()).resource(pod).create();
        Informers.awaitCache(() -> podInformer.getStore().getByKey(Informers.key(created)) != null);
    }

    private List<Pod> podsOf(ReplicaSet rs) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : podInformer.getStore().list()) {
            if (rs.getMetadata().getNamespace().equals(p.getMetadata().getNamespace())
                    && Informers.ownedBy(p, rs.getMetadata().getUid()) && !Informers.terminating(p)
                    && !"Failed".equals(p.getStatus() == null ? null : p.getStatus().getPhase())
                    && !"Succeeded".equals(p.getStatus() == null ? null : p.getStatus().getPhase())) {
                out.add(p);
            }
        }
        return out;
    }

    private static int replicas(ReplicaSet rs) {
        return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    private static int revision(ReplicaSet rs) {
        String r = rs.getMetadata().getAnnotations() == null ? null : rs.getMetadata().getAnnotations().get(REVISION);
        try {
            return r == null ? 0 : Integer.parseInt(r);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> labels(ReplicaSet rs) {
        return rs.getMetadata().getLabels() == null ? Map.of() : rs.getMetadata().getLabels();
    }

    /** The pod-template-hash of a template: FNV-1a of its JSON, in the API's safe alphabet. */
    static String templateHash(PodTemplateSpec template) {
        byte[] bytes = Serialization.asJson(template).getBytes(StandardCharsets.UTF_8);
        int h = 0x811c9dc5;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        String digits = Long.toString(h & 0xffffffffL);
        StringBuilder out = new StringBuilder();
        for (char c : digits.toCharArray()) {
            out.append(SAFE.charAt(c % SAFE.length()));
        }
        return out.toString();
    }

    @Override
    public void close() {
        deployInformer.close();
        rsInformer.close();
        deployments.close();
        replicaSets.close();
    }

    static Instant parse(String ts) {
        return ts == null ? Instant.EPOCH : Instant.parse(ts);
    }
}
