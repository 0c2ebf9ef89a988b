package dev.mesh.ca.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.ca.CaRuntime;
import dev.mesh.ca.kube.RootCertPublisher;
import dev.mesh.ca.model.CaSettings;
import dev.mesh.ca.pki.Certificates;
import dev.mesh.ca.pki.Pem;
import dev.mesh.ca.testing.CaClient;
import dev.mesh.ca.testing.Csrs;
import dev.mesh.ca.testing.MockApiServer;
import dev.mesh.ca.testing.Openssl;
import dev.mesh.ca.testing.TestCas;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA as it runs: TokenReview answered by a fabric8 mock API server, key material in its
 * Secrets, a real gRPC client over TLS on loopback, {@code openssl verify} on what comes back.
 */
class CaServerEndToEndTest {

    static final String AUTHORITY = "citadel-ca.istio-system.svc";
    static final String ID = "spiffe://cluster.local/ns/demo/sa/podinfo";

    private final MockApiServer api = new MockApiServer();
    private final KubernetesClient kube = api.server().createClient();
    private final List<CaRuntime> runtimes = new ArrayList<>();
    private final List<CaClient> clients = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void stop() throws Exception {
        for (CaClient client : clients) {
            client.close();
        }
        runtimes.forEach(CaRuntime::close);
        kube.close();
        api.close();
    }

    CaRuntime startCa() {
        CaRuntime runtime = new CaRuntime(api.server().createClient(), CaSettings.defaults("istio-system"), Clock.systemUTC(),
                new SimpleMeterRegistry(), null);
        runtimes.add(runtime);
        runtime.start("127.0.0.1", 0);
        await(runtime::isReady, Duration.ofSeconds(20), "CA ready");
        return runtime;
    }

    CaClient client(CaRuntime runtime) {
        CaClient client = CaClient.connect(runtime.grpcPort(), runtime.keyMaterial().get().root(), AUTHORITY);
        clients.add(client);
        return client;
    }

    String token() {
        return "Bearer " + api.serviceAccountToken("demo", "podinfo", "istio-ca");
    }

    @Test
    void validRsaAndEcdsaCsrs_yieldChainsOpensslAccepts() throws Exception {
        CaRuntime ca = startCa();
        CaClient client = client(ca);
        for (KeyPair keys : List.of(Csrs.rsa2048(), Csrs.ecP256())) {
            List<String> chain = client.create(token(), Csrs.spiffe(keys, ID), 0);

            assertThat(chain).hasSize(2);
            assertThat(chain.get(1)).isEqualTo(Pem.encode(ca.keyMaterial().get().root()));
            X509Certificate leaf = Pem.certificates(chain.get(0), "leaf").get(0);
            assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, ID));
            assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
            assertThat(Openssl.verify(tmp.resolve(keys.getPublic().getAlgorithm()), chain)).contains("leaf.pem: OK");
        }
        assertThat(ca.signer().issuedCount()).isEqualTo(2);
    }

    @Test
    void eachRefusal_getsItsStatusAndMessageAndNoCertificate() {
        CaRuntime ca = startCa();
        CaClient client = client(ca);
        String own = Csrs.spiffe(Csrs.ecP256(), ID);

        refused(() -> client.create(null, own, 0), Status.Code.UNAUTHENTICATED, "no credentials");
        refused(() -> client.create("Bearer eyJhbGciOiJSUzI1NiJ9.e30.forged", own, 0), Status.Code.UNAUTHENTICATED, "invalid bearer token");
        refused(() -> client.create("Bearer " + api.refusedToken("[invalid bearer token, token is expired]"), own, 0),
                Status.Code.UNAUTHENTICATED, "expired");
        refused(() -> client.create("Bearer " + api.serviceAccountToken("demo", "podinfo", "https://kubernetes.default.svc"), own, 0),
                Status.Code.UNAUTHENTICATED, "audiences");
        refused(() -> client.create(token(), Csrs.spiffe(Csrs.ecP256(), "spiffe://cluster.local/ns/istio-system/sa/citadel-ca"), 0),
                Status.Code.PERMISSION_DENIED, "only request its own identity");
        refused(() -> client.create(token(), Csrs.splice(own, Csrs.spiffe(Csrs.ecP256(), ID)), 0),
                Status.Code.INVALID_ARGUMENT, "signature");
        refused(() -> client.create(token(), Csrs.spiffe(Certificates.rsaKeyPair(1024), ID), 0), Status.Code.INVALID_ARGUMENT, "1024 bits");
        refused(() -> client.create(token(), own, Duration.ofDays(365).toSeconds()), Status.Code.INVALID_ARGUMENT, "over the maximum");
        refused(() -> client.create(token(), "not a csr", 0), Status.Code.INVALID_ARGUMENT, "csr:");

        assertThat(ca.signer().issuedCount()).isZero();
    }

    @Test
    void renewal_withTheCurrentMeshCertificateAndNoToken_isAccepted() throws Exception {
        CaRuntime ca = startCa();
        KeyPair keys = Csrs.ecP256();
        List<String> first = client(ca).create(token(), Csrs.spiffe(keys, ID), 0);
        X509Certificate current = Pem.certificates(first.get(0), "leaf").get(0);
        X509Certificate root = ca.keyMaterial().get().root();

        CaClient renewing = CaClient.connect(ca.grpcPort(), root, AUTHORITY, keys.getPrivate(), List.of(current));
        clients.add(renewing);
        KeyPair next = Csrs.ecP256();
        List<String> renewed = renewing.create(null, Csrs.spiffe(next, ID), 0);
        assertThat(Pem.certificates(renewed.get(0), "renewed").get(0).getPublicKey()).isEqualTo(next.getPublic());

        refused(() -> renewing.create(null, Csrs.spiffe(next, "spiffe://cluster.local/ns/demo/sa/other"), 0),
                Status.Code.PERMISSION_DENIED, "only request its own identity");
    }

    @Test
    void renewal_withACertificateFromAnotherCa_isRefused() {
        CaRuntime ca = startCa();
        TestCas.Plugged foreign = TestCas.rootAndIntermediate(java.time.Instant.now());
        KeyPair keys = Csrs.ecP256();
        X509Certificate forged = new dev.mesh.ca.pki.X509CertificateSigner(Clock.systemUTC()).sign(keys.getPublic(),
                new dev.mesh.ca.model.Identity("cluster.local", "demo", "podinfo"), Duration.ofHours(1), foreign.material());
        CaClient client = CaClient.connect(ca.grpcPort(), ca.keyMaterial().get().root(), AUTHORITY, keys.getPrivate(),
                List.of(forged, foreign.intermediate()));
        clients.add(client);

        refused(() -> client.create(null, Csrs.spiffe(Csrs.ecP256(), ID), 0), Status.Code.UNAUTHENTICATED, "does not chain to the mesh root");
        assertThat(ca.signer().issuedCount()).isZero();
    }

    @Test
    void twoCasStartedTogether_endWithOneRoot_andBothCertificatesVerifyAgainstIt() throws Exception {
        CaRuntime a = new CaRuntime(api.server().createClient(), CaSettings.defaults("istio-system"), Clock.systemUTC(), new SimpleMeterRegistry(), null);
        CaRuntime b = new CaRuntime(api.server().createClient(), CaSettings.defaults("istio-system"), Clock.systemUTC(), new SimpleMeterRegistry(), null);
        runtimes.addAll(List.of(a, b));
        a.start("127.0.0.1", 0);
        b.start("127.0.0.1", 0);
        await(() -> a.isReady() && b.isReady(), Duration.ofSeconds(20), "both CAs ready");

        assertThat(a.keyMaterial().get().root()).isEqualTo(b.keyMaterial().get().root());
        String storedRoot = new String(java.util.Base64.getDecoder().decode(
                kube.secrets().inNamespace("istio-system").withName("istio-ca-secret").get().getData().get("root-cert.pem")));
        for (CaRuntime ca : List.of(a, b)) {
            List<String> chain = client(ca).create(token(), Csrs.spiffe(Csrs.ecP256(), ID), 0);
            List<String> againstStored = List.of(chain.get(0), storedRoot);
            assertThat(Openssl.verify(tmp.resolve("ca" + ca.grpcPort()), againstStored)).contains("OK");
        }
    }

    @Test
    void pluggedInCacerts_chainIncludesTheIntermediateAndEndsAtRootCert() throws Exception {
        TestCas.Plugged plugged = TestCas.rootAndIntermediate(java.time.Instant.now());
        kube.secrets().inNamespace("istio-system").resource(new SecretBuilder().withNewMetadata().withName("cacerts").endMetadata()
                .withData(plugged.secretData()).build()).create();
        CaRuntime ca = startCa();

        List<String> chain = client(ca).create(token(), Csrs.spiffe(Csrs.rsa2048(), ID), 0);

        assertThat(chain).hasSize(3);
        assertThat(chain.get(1)).isEqualTo(Pem.encode(plugged.intermediate()));
        assertThat(chain.get(2)).isEqualTo(Pem.encode(plugged.root()));
        assertThat(Openssl.verify(tmp, chain)).contains("leaf.pem: OK");
        assertThat(kube.secrets().inNamespace("istio-system").withName("istio-ca-secret").get()).isNull();
    }

    @Test
    void cacertsAddedWhileRunning_isUsedForNewCertificatesAndPublished() throws Exception {
        CaRuntime ca = startCa();
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("demo").endMetadata().build()).create();
        TestCas.Plugged plugged = TestCas.rootAndIntermediate(java.time.Instant.now());
        kube.secrets().inNamespace("istio-system").resource(new SecretBuilder().withNewMetadata().withName("cacerts").endMetadata()
                .withData(plugged.secretData()).build()).create();

        await(() -> ca.keyMaterial().get().root().equals(plugged.root()), Duration.ofSeconds(5), "CA reloaded cacerts");
        await(() -> Pem.encode(plugged.root()).equals(rootConfigMap("demo")), Duration.ofSeconds(5), "root published");

        // A client that trusts only the new root can connect: the serving certificate was re-issued.
        CaClient client = CaClient.connect(ca.grpcPort(), plugged.root(), AUTHORITY);
        clients.add(client);
        List<String> chain = client.create(token(), Csrs.spiffe(Csrs.ecP256(), ID), 0);
        assertThat(Openssl.verify(tmp, chain)).contains("OK");
    }

    @Test
    void newNamespace_getsIstioCaRootCertWithinTwoSeconds() {
        CaRuntime ca = startCa();
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("fresh").endMetadata().build()).create();
        String root = Pem.encode(ca.keyMaterial().get().root());
        await(() -> root.equals(rootConfigMap("fresh")), Duration.ofSeconds(2), "istio-ca-root-cert in namespace fresh");
    }

    private String rootConfigMap(String namespace) {
        ConfigMap cm = kube.configMaps().inNamespace(namespace).withName(RootCertPublisher.CONFIG_MAP).get();
        return cm == null || cm.getData() == null ? null : cm.getData().get(RootCertPublisher.KEY);
    }

    static void refused(Runnable call, Status.Code code, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(code))
                .hasMessageContaining(messagePart);
    }

    static void await(Supplier<Boolean> condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // e.g. key material not loaded yet: keep waiting
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(what + ": not within " + within);
    }
}
