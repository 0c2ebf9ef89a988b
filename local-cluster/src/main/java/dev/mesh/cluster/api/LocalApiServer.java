package dev.mesh.cluster.api;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * The local cluster's Kubernetes API: fabric8's mock server in CRUD mode (the store, on loopback,
 * plain HTTP) behind {@link ApiFront}, an HTTPS front that adds what real clients need (discovery,
 * authentication, TokenReview, Table output, streamed watches, patch semantics, subresources).
 * Clients reach it with the kubeconfig written to {@link #kubeconfig()} (the admin, in {@code system:masters}) or
 * {@link #serviceAccountKubeconfig}. Access reviews (SelfSubjectAccessReview, SubjectAccessReview) are answered by
 * {@code RbacAuthorizer} from the stored RBAC objects; other requests are not authorized: any valid token may do
 * anything, so RBAC here says what a real cluster would allow, it does not stop anyone.
 */
public final class LocalApiServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalApiServer.class);

    /**
     * How to start the API server.
     *
     * @param stateDir where the kubeconfig and the CA certificate are written
     * @param meshRoot the repository root; its {@code deploy/charts/mesh/crds} are installed at start
     * @param bindHost the address the HTTPS front listens on ({@code 0.0.0.0} so pods on the bridge reach it)
     * @param port the HTTPS port, 0 for any free one
     * @param extraSubjectAltNames names and addresses the serving certificate covers beside loopback
     *        and {@code kubernetes.default.svc} (for instance the bridge address pods use)
     */
    public record Options(Path stateDir, Path meshRoot, String bindHost, int port, List<String> extraSubjectAltNames) {
        public Options {
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(meshRoot, "meshRoot");
            Objects.requireNonNull(bindHost, "bindHost");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            extraSubjectAltNames = List.copyOf(extraSubjectAltNames);
        }

        /** Defaults: any free port on all addresses, CRDs from {@link #findMeshRoot()}. */
        public static Options defaults(Path stateDir) {
            return new Options(stateDir, findMeshRoot(), "0.0.0.0", 0, List.of());
        }

        public Options withPort(int newPort) {
            return new Options(stateDir, meshRoot, bindHost, newPort, extraSubjectAltNames);
        }

        public Options withBindHost(String host) {
            return new Options(stateDir, meshRoot, host, port, extraSubjectAltNames);
        }

        public Options withMeshRoot(Path root) {
            return new Options(stateDir, root, bindHost, port, extraSubjectAltNames);
        }

        public Options withExtraSubjectAltNames(List<String> names) {
            return new Options(stateDir, meshRoot, bindHost, port, names);
        }
    }

    private final KubernetesMockServer store;
    private final ApiFront front;
    private final KubernetesClient adminClient;
    private final TokenIssuer tokens;
    private final ServingTls tls;
    private final Path kubeconfig;
    private final String adminToken;

    private LocalApiServer(KubernetesMockServer store, ApiFront front, KubernetesClient adminClient, TokenIssuer tokens,
            ServingTls tls, Path kubeconfig, String adminToken) {
        this.store = store;
        this.front = front;
        this.adminClient = adminClient;
        this.tokens = tokens;
        this.tls = tls;
        this.kubeconfig = kubeconfig;
        this.adminToken = adminToken;
    }

    /** Starts the store and the front, installs the CRDs and namespaces, writes the kubeconfig. */
    public static LocalApiServer start(Options options) throws IOException {
        Path crdDir = options.meshRoot().resolve("deploy/charts/mesh/crds");
        if (!Files.isDirectory(crdDir)) {
            throw new IllegalArgumentException("mesh root " + options.meshRoot() + " has no deploy/charts/mesh/crds; "
                    + "pass the repository root (system property mesh.root)");
        }
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        Clock clock = Clock.systemUTC();
        KubernetesMockServer store = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        store.init(java.net.InetAddress.getLoopbackAddress(), 0);
        ApiFront front = null;
        KubernetesClient admin = null;
        try {
            TokenIssuer tokens = new TokenIssuer(clock);
            ServingTls tls = ServingTls.create(clock.instant(), options.extraSubjectAltNames());
            String adminToken = randomToken();
            front = ApiFront.start(new ApiFront.Settings(options.bindHost(), options.port(), tls,
                    "http://127.0.0.1:" + store.getPort(), adminToken, tokens, clock));
            Files.createDirectories(options.stateDir());
            Path caFile = options.stateDir().resolve("ca.crt");
            Files.writeString(caFile, tls.caCertificatePem());
            String url = "https://127.0.0.1:" + front.port();
            Path kubeconfig = options.stateDir().resolve("kubeconfig");
            writeKubeconfig(kubeconfig, url, tls, UserInfo.ADMIN, adminToken, "default");
            admin = new KubernetesClientBuilder().withConfig(clientConfig(url, tls, adminToken)).build();
            LocalApiServer server = new LocalApiServer(store, front, admin, tokens, tls, kubeconfig, adminToken);
            server.installCrds(crdDir);
            for (String ns : List.of("default", "kube-system", "kube-public")) {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                        .create();
            }
            server.bootstrapClusterAdmin();
            LOG.infof("local API server at %s (kubeconfig %s)", url, kubeconfig);
            return server;
        } catch (IOException | RuntimeException e) {
            if (admin != null) {
                admin.close();
            }
            if (front != null) {
                front.close();
            }
            store.destroy();
            throw e;
        }
    }

    /**
     * The repository root: system property {@code mesh.root}, else the first directory from the
     * working directory upwards that holds {@code deploy/charts/mesh/crds}.
     */
    public static Path findMeshRoot() {
        String prop = System.getProperty("mesh.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/charts/mesh/crds"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the mesh repository (deploy/charts/mesh/crds) from "
                + Path.of("").toAbsolutePath() + " upwards; set system property mesh.root");
    }

    /** A client with cluster-admin rights, talking to the HTTPS front like every other client. */
    public KubernetesClient adminClient() {
        return adminClient;
    }

    /** The kubeconfig for this cluster (admin user), for kubectl and for services run on the host. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * Writes a kubeconfig for this cluster whose user is the service account {@code namespace/serviceAccount}, with a
     * token this API server issued (valid for {@code ttl}, for the API server's own audience), next to
     * {@link #kubeconfig()} as {@code kubeconfig-<namespace>-<serviceAccount>}: a client with the permissions RBAC
     * gives that service account (as far as the access reviews go: see {@link RbacAuthorizer}; other requests are
     * not authorized against RBAC).
     *
     * @throws IllegalArgumentException when the service account does not exist (create it first)
     */
    public Path serviceAccountKubeconfig(String namespace, String serviceAccount, java.time.Duration ttl)
            throws IOException {
        if (adminClient.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get() == null) {
            throw new IllegalArgumentException("service account " + namespace + "/" + serviceAccount
                    + " does not exist in the local cluster; create it before asking for its kubeconfig");
        }
        String token = tokens.issue(namespace, serviceAccount, List.of(), ttl);
        Path file = kubeconfig.resolveSibling("kubeconfig-" + namespace + "-" + serviceAccount);
        writeKubeconfig(file, url(), tls, UserInfo.SERVICE_ACCOUNT_PREFIX + namespace + ":" + serviceAccount, token,
                namespace);
        return file;
    }

    /** The HTTPS URL of the API, {@code https://127.0.0.1:<port>}. */
    public String url() {
        return "https://127.0.0.1:" + front.port();
    }

    /** The port the HTTPS front listens on (on {@link Options#bindHost()}). */
    public int port() {
        return front.port();
    }

    /** The CA certificate (PEM) that signed the serving certificate: a pod's {@code ca.crt}. */
    public String caCertificatePem() {
        return tls.caCertificatePem();
    }

    /** Issues and checks the cluster's service-account tokens (those TokenReview accepts). */
    public TokenIssuer tokens() {
        return tokens;
    }

    /** Runs every namespaced create through {@code chain} when MutatingWebhookConfigurations are stored. */
    public void setMutatingAdmission(MutatingAdmission chain) {
        front.setMutatingAdmission(chain);
    }

    /**
     * The stored object at an API path ({@code /api/v1/namespaces/x/services/y}), or null: what admission reads
     * (Services, EndpointSlices) without going through the front it runs inside of.
     */
    public com.fasterxml.jackson.databind.JsonNode stored(String path) {
        return front.stored(path);
    }

    /** The stored items of a collection path with a query such as {@code labelSelector=k%3Dv}. */
    public java.util.List<com.fasterxml.jackson.databind.JsonNode> storedItems(String path, String query) {
        return front.storedItems(path, query);
    }

    /** Where {@code pods/<p>/log} reads from; null answers 404 for every log request. */
    public void setPodLogProvider(PodLogProvider provider) {
        front.setPodLogProvider(provider);
    }

    /** A client config for this cluster as the admin. */
    public Config adminConfig() {
        return clientConfig(url(), tls, adminToken);
    }

    @Override
    public void close() {
        adminClient.close();
        front.close();
        store.destroy();
    }

    /**
     * Kubernetes' bootstrap policy, its one role the mesh's tools name: ClusterRole {@code cluster-admin} (everything)
     * bound to {@code system:masters}, so that {@code kubectl create clusterrolebinding --clusterrole=cluster-admin}
     * (the fix meshctl x precheck suggests) works here as on any cluster.
     */
    private void bootstrapClusterAdmin() {
        adminClient.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("cluster-admin")
                .addToLabels("kubernetes.io/bootstrapping", "rbac-defaults").endMetadata()
                .addNewRule().withApiGroups("*").withResources("*").withVerbs("*").endRule()
                .addNewRule().withNonResourceURLs("*").withVerbs("*").endRule().build()).create();
        adminClient.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("cluster-admin").addToLabels("kubernetes.io/bootstrapping", "rbac-defaults").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("cluster-admin").endRoleRef().addNewSubject().withApiGroup("rbac.authorization.k8s.io")
                .withKind("Group").withName(UserInfo.MASTERS).endSubject().build()).create();
    }

    private void installCrds(Path crdDir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(crdDir)) {
            list.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().forEach(files::add);
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                // Generic, not the typed model: the typed CRD schema classes take seconds to load and bind.
                GenericKubernetesResource crd = Serialization.unmarshal(in, GenericKubernetesResource.class);
                if (crd == null || !"CustomResourceDefinition".equals(crd.getKind()) || crd.getMetadata() == null) {
                    throw new IllegalArgumentException(file + " is not a CustomResourceDefinition");
                }
                adminClient.genericKubernetesResources("apiextensions.k8s.io/v1", "CustomResourceDefinition").resource(crd).create();
            } catch (UncheckedIOException e) {
                throw new IOException("cannot read CRD " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private static Config clientConfig(String url, ServingTls tls, String token) {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url).withCaCertData(b64(tls.caCertificatePem()))
                .withOauthToken(token).withNamespace("default").withRequestRetryBackoffLimit(3).build();
    }

    private static void writeKubeconfig(Path file, String url, ServingTls tls, String user, String token, String namespace)
            throws IOException {
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mesh-local
                  cluster:
                    server: "%s"
                    certificate-authority-data: %s
                users:
                - name: "%s"
                  user:
                    token: %s
                contexts:
                - name: mesh-local
                  context:
                    cluster: mesh-local
                    user: "%s"
                    namespace: %s
                current-context: mesh-local
                """.formatted(url, b64(tls.caCertificatePem()), user, token, user, namespace);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // A file system without POSIX permissions (not Linux's): the kubeconfig holds the admin token, so say so.
            LOG.warnf("the kubeconfig %s holds a token but its file system cannot restrict who reads it", file);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static String randomToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return "admin-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
