package dev.mesh.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mesh.cluster.demo.Walkthrough;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7's reachability matrix on the local cluster, with real sidecars, real certificates from citadel-ca and real
 * TLS between pods: a client with a sidecar and a client without one, each calling a podinfo server in three
 * injected namespaces whose namespace-wide PeerAuthentication is STRICT, PERMISSIVE and DISABLE, one injected
 * namespace without a PeerAuthentication, and a podinfo without a sidecar. Every cell is what Istio's reachability
 * test (tests/integration/security, TestMTLS with beta-mtls-on / -permissive / -off, no-peer-authn) expects, under
 * auto mutual TLS:
 * <ul>
 *   <li>sidecar client: 200 everywhere; mutual TLS to STRICT, PERMISSIVE and no policy (PERMISSIVE by default),
 *       plain text to DISABLE (the control plane infers the service's mode from its namespace's PeerAuthentication
 *       and sends no TLS to DISABLE) and to the server without a sidecar (its endpoint is not labelled
 *       tlsMode=istio);</li>
 *   <li>client without a sidecar: plain text always, so STRICT refuses it (the connection closes, no HTTP
 *       answer), the others answer 200.</li>
 * </ul>
 * Mutual TLS is proven per call by what the server application receives: the x-forwarded-client-cert header the
 * server's sidecar adds on a mutual TLS connection, naming the client's SPIFFE identity (URI=) and the server's own
 * (By=); plain-text cells must arrive without it, even when the client without a sidecar forges one. Needs root
 * (CI runs it as root and must not skip).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReachabilityTest {

    /** How long a cell may take to show its expected outcome once the pods are ready (config comes asynchronously). */
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /** Calls per cell that must all match once the cell has converged. */
    private static final int CALLS_PER_CELL = 3;
    private static final String TRUST_DOMAIN = "cluster.local";
    private static final String SIDECAR_CLIENT_NS = "client";
    private static final String NAKED_CLIENT_NS = "naked";
    private static final String CLIENT_SA = "sleep";
    private static final String SERVER_SA = "podinfo";
    /** An app uid (not the proxy's 1337), so the sidecar client's calls are captured like its app's. */
    private static final int APP_UID = 1000;
    /** What a client outside the mesh claims in x-forwarded-client-cert: the sidecar client's identity. */
    private static final String FORGED_XFCC = "By=" + spiffe("strict", SERVER_SA) + ";URI="
            + spiffe(SIDECAR_CLIENT_NS, CLIENT_SA);
    private static final Pattern HTTP_CODE = Pattern.compile("HTTP_CODE=(\\d{3})");

    private static final ObjectMapper JSON = new ObjectMapper();

    private Walkthrough.Cluster cluster;
    private Walkthrough walkthrough;
    private KubernetesClient client;
    private final Map<String, String> matrix = new ConcurrentSkipListMap<>();
    private Instant started;

    /** What a cell expects: an HTTP 200 over mutual TLS, an HTTP 200 in plain text, or no HTTP answer at all. */
    enum Outcome {
        MTLS, PLAINTEXT, REFUSED
    }

    /**
     * The server side of a column: podinfo with a sidecar in a namespace whose namespace-wide PeerAuthentication has
     * this mode, or in a namespace without any PeerAuthentication (the mesh's default, PERMISSIVE), or podinfo
     * without a sidecar (Istio's "naked" workload, in the namespace of the client without one).
     */
    enum Server {
        STRICT("strict", true, "STRICT"), PERMISSIVE("permissive", true, "PERMISSIVE"),
        DISABLE("disable", true, "DISABLE"), NO_POLICY("nopolicy", true, null),
        NO_SIDECAR(NAKED_CLIENT_NS, false, null);

        final String namespace;
        final boolean sidecar;
        /** The mode of the namespace's PeerAuthentication, null for none. */
        final String peerAuthentication;

        Server(String namespace, boolean sidecar, String peerAuthentication) {
            this.namespace = namespace;
            this.sidecar = sidecar;
            this.peerAuthentication = peerAuthentication;
        }
    }

    static Stream<Arguments> cells() {
        return Stream.of(
                Arguments.of(true, Server.STRICT, Outcome.MTLS),
                Arguments.of(true, Server.PERMISSIVE, Outcome.MTLS),
                Arguments.of(true, Server.DISABLE, Outcome.PLAINTEXT),
                Arguments.of(false, Server.STRICT, Outcome.REFUSED),
                Arguments.of(false, Server.PERMISSIVE, Outcome.PLAINTEXT),
                Arguments.of(false, Server.DISABLE, Outcome.PLAINTEXT),
                Arguments.of(true, Server.NO_POLICY, Outcome.MTLS),
                Arguments.of(false, Server.NO_POLICY, Outcome.PLAINTEXT),
                Arguments.of(true, Server.NO_SIDECAR, Outcome.PLAINTEXT),
                Arguments.of(false, Server.NO_SIDECAR, Outcome.PLAINTEXT));
    }

    @BeforeAll
    void clusterWithServersAndClients(@TempDir Path state) throws Exception {
        ClusterTests.requireRoot("ReachabilityTest");
        started = Instant.now();
        Path root = Path.of(System.getProperty("mesh.root"));
        cluster = Walkthrough.startCluster(root, state);
        walkthrough = new Walkthrough(cluster, new PrintStream(System.out, true, StandardCharsets.UTF_8));
        client = cluster.client();
        // The control plane only: the matrix needs no gateway and no telemetry.
        int install = walkthrough.meshctl("install", "--set", "profile=minimal", "-y", "--readiness-timeout", "180s");
        assertThat(install).as("meshctl install --set profile=minimal").isZero();
        System.out.printf("reachability: control plane ready after %ds%n", secondsSince(started));

        namespace(SIDECAR_CLIENT_NS, true);
        apply(sleep(SIDECAR_CLIENT_NS));
        namespace(NAKED_CLIENT_NS, false);
        apply(sleep(NAKED_CLIENT_NS));
        for (Server server : Server.values()) {
            if (server.sidecar) {
                namespace(server.namespace, true);
            }
            if (server.peerAuthentication != null) {
                // The policy first, so the pods' first configuration already carries it.
                apply("""
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: default, namespace: %s}
                        spec:
                          mtls: {mode: %s}
                        """.formatted(server.namespace, server.peerAuthentication));
            }
            apply(podinfo(server.namespace));
        }

        Walkthrough.await(Duration.ofMinutes(3), "the servers and clients ready", () -> {
            for (Server server : Server.values()) {
                if (walkthrough.readyPods(server.namespace, "app", "podinfo") != 1) {
                    return false;
                }
            }
            return walkthrough.readyPods(SIDECAR_CLIENT_NS, "app", CLIENT_SA) == 1
                    && walkthrough.readyPods(NAKED_CLIENT_NS, "app", CLIENT_SA) == 1;
        });
        for (Server server : Server.values()) {
            assertThat(containers(server.namespace, "podinfo")).as("server in %s", server.namespace)
                    .containsExactlyInAnyOrderElementsOf(server.sidecar ? List.of("podinfo", "istio-proxy")
                            : List.of("podinfo"));
        }
        assertThat(containers(SIDECAR_CLIENT_NS, CLIENT_SA)).containsExactlyInAnyOrder("sleep", "istio-proxy");
        assertThat(containers(NAKED_CLIENT_NS, CLIENT_SA)).containsExactly("sleep");
        System.out.printf("reachability: servers and clients ready after %ds%n", secondsSince(started));
    }

    @AfterAll
    void tearDown() {
        if (!matrix.isEmpty()) {
            System.out.println("reachability matrix (client -> server: outcome):");
            matrix.forEach((cell, outcome) -> System.out.println("  " + cell + ": " + outcome));
        }
        if (started != null) {
            System.out.printf("reachability: %ds in all before teardown%n", secondsSince(started));
        }
        if (cluster != null) {
            cluster.close();
            assertThat(ClusterTests.leftovers()).as("after the cluster closed").isEmpty();
        }
    }

    @ParameterizedTest(name = "sidecar client {0} -> {1}: {2}")
    @MethodSource("cells")
    void cell_answersAsIstioExpects(boolean sidecarClient, Server server, Outcome expected) throws Exception {
        String clientNs = sidecarClient ? SIDECAR_CLIENT_NS : NAKED_CLIENT_NS;
        String cell = (sidecarClient ? "sidecar" : "no sidecar") + " -> " + server;
        Call[] last = new Call[1];
        int[] attempts = new int[1];
        try {
            Walkthrough.await(CONVERGE, cell + " answering " + expected, () -> {
                attempts[0]++;
                last[0] = call(clientNs, server);
                return outcome(last[0], clientNs, server) == expected;
            });
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage() + "; last call: " + describe(last[0]) + ": " + last[0].output(), e);
        }

        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < CALLS_PER_CELL; i++) {
            calls.add(call(clientNs, server));
        }
        matrix.put(cell, describe(calls.get(0)) + " [" + attempts[0] + " call(s) to converge]");

        for (Call call : calls) {
            switch (expected) {
                case MTLS -> {
                    assertThat(call.status()).as("%s: %s", cell, call.output()).isEqualTo(200);
                    assertThat(call.xfcc()).as("%s: x-forwarded-client-cert at the server", cell).hasValueSatisfying(
                            xfcc -> assertThat(xfcc)
                                    .contains("URI=" + spiffe(clientNs, CLIENT_SA))
                                    .contains("By=" + spiffe(server.namespace, SERVER_SA)));
                }
                case PLAINTEXT -> {
                    assertThat(call.status()).as("%s: %s", cell, call.output()).isEqualTo(200);
                    assertThat(call.xfcc()).as("%s: x-forwarded-client-cert at the server", cell).isEmpty();
                }
                case REFUSED -> {
                    assertThat(call.status()).as("%s: no HTTP answer; %s", cell, call.output()).isZero();
                    assertThat(call.curlExit()).as("%s: curl fails; %s", cell, call.output()).isNotZero();
                }
            }
        }
    }

    /** One call: curl's exit code, the HTTP status (0 when none came), the server app's x-forwarded-client-cert. */
    record Call(int curlExit, int status, Optional<String> xfcc, String output) {
    }

    /**
     * {@code kubectl exec <client> -- curl http://podinfo.<ns>/headers}: the headers the server app received. The
     * client without a sidecar sends a forged x-forwarded-client-cert to servers with one: their sidecar must drop
     * it on a connection that is not mutual TLS (as Envoy does), or the header would prove nothing.
     */
    private Call call(String clientNs, Server server) {
        List<String> curl = new ArrayList<>(List.of("curl", "-sS", "--max-time", "5", "-w",
                "\nHTTP_CODE=%{http_code}\n"));
        if (clientNs.equals(NAKED_CLIENT_NS) && server.sidecar) {
            curl.addAll(List.of("-H", "x-forwarded-client-cert: " + FORGED_XFCC));
        }
        curl.add("http://podinfo." + server.namespace + "/headers");
        try {
            Walkthrough.Exec exec = walkthrough.exec(clientNs, podName(clientNs, CLIENT_SA), APP_UID,
                    curl.toArray(String[]::new));
            return parse(exec.code(), exec.output());
        } catch (IOException e) {
            throw new IllegalStateException("exec in " + clientNs + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static Call parse(int curlExit, String output) {
        Matcher m = HTTP_CODE.matcher(output);
        int status = m.find() ? Integer.parseInt(m.group(1)) : 0;
        Optional<String> xfcc = Optional.empty();
        int open = output.indexOf('{');
        int close = output.lastIndexOf('}');
        if (status == 200 && open >= 0 && close > open) {
            try {
                JsonNode headers = JSON.readTree(output.substring(open, close + 1));
                for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> header = it.next();
                    if (header.getKey().equalsIgnoreCase("x-forwarded-client-cert")) {
                        List<String> values = new ArrayList<>();
                        header.getValue().forEach(v -> values.add(v.asText()));
                        xfcc = Optional.of(String.join(",", values));
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("podinfo's /headers answer is not JSON: " + output, e);
            }
        }
        return new Call(curlExit, status, xfcc, output.strip());
    }

    private static Outcome outcome(Call call, String clientNs, Server server) {
        if (call.status() == 0) {
            return Outcome.REFUSED;
        }
        if (call.status() != 200) {
            return null;
        }
        return call.xfcc().filter(x -> x.contains("URI=" + spiffe(clientNs, CLIENT_SA))
                && x.contains("By=" + spiffe(server.namespace, SERVER_SA))).isPresent() ? Outcome.MTLS
                : call.xfcc().isEmpty() ? Outcome.PLAINTEXT : null;
    }

    private static String describe(Call call) {
        if (call.status() == 0) {
            return "no HTTP answer (curl exit " + call.curlExit() + "), XFCC no";
        }
        return call.status() + ", XFCC " + call.xfcc().map(x -> "yes (" + x + ")").orElse("no");
    }

    private static String spiffe(String namespace, String serviceAccount) {
        return "spiffe://" + TRUST_DOMAIN + "/ns/" + namespace + "/sa/" + serviceAccount;
    }

    private void namespace(String name, boolean injected) {
        NamespaceBuilder ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        if (injected) {
            ns.editMetadata().addToLabels("istio-injection", "enabled").endMetadata();
        }
        client.namespaces().resource(ns.build()).createOr(NonDeletingOperation::update);
    }

    /** podinfo as the server: its own service account (so its identity is its own), Service podinfo on port 80. */
    private static String podinfo(String namespace) {
        return workload(namespace, "podinfo", SERVER_SA) + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: podinfo, namespace: %s, labels: {app: podinfo}}
                spec:
                  selector: {app: podinfo}
                  ports:
                  - {name: http, port: 80, targetPort: 9898}
                """.formatted(namespace);
    }

    /** The client: a pod that only hosts the network namespace curl runs in (Istio's sleep sample has curl in it). */
    private static String sleep(String namespace) {
        return workload(namespace, CLIENT_SA, CLIENT_SA);
    }

    /** A ServiceAccount and a one-replica Deployment {@code app} running podinfo as it, in container {@code app}. */
    private static String workload(String namespace, String app, String serviceAccount) {
        return """
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: %3$s, namespace: %1$s}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %2$s, namespace: %1$s, labels: {app: %2$s}}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %2$s}}
                  template:
                    metadata: {labels: {app: %2$s, version: v1}}
                    spec:
                      serviceAccountName: %3$s
                      containers:
                      - name: %2$s
                        image: ghcr.io/stefanprodan/podinfo:6.7.1
                        ports: [{containerPort: 9898}]
                """.formatted(namespace, app, serviceAccount);
    }

    private void apply(String yaml) throws IOException {
        walkthrough.applyYaml(yaml);
    }

    private Pod pod(String namespace, String app) {
        return client.pods().inNamespace(namespace).withLabel("app", app).list().getItems().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no pod app=" + app + " in " + namespace));
    }

    private String podName(String namespace, String app) {
        return pod(namespace, app).getMetadata().getName();
    }

    private List<String> containers(String namespace, String app) {
        return pod(namespace, app).getSpec().getContainers().stream().map(c -> c.getName()).toList();
    }

    private static long secondsSince(Instant start) {
        return Duration.between(start, Instant.now()).toSeconds();
    }
}
