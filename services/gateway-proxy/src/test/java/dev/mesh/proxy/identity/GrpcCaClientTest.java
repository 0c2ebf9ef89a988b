package dev.mesh.proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.proxy.identity.CertificateSource.CaRequestException;
import dev.mesh.proxy.testing.FakeCaServer;
import dev.mesh.proxy.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA client against a real gRPC server over TLS implementing the CA's API from libs/ca-api. */
class GrpcCaClientTest {

    static final WorkloadIdentity ID = new WorkloadIdentity("cluster.local", "demo", "podinfo");

    @TempDir
    Path dir;
    TestCa ca = new TestCa("mesh", Clock.systemUTC());
    FakeCaServer server;
    Path token;
    AtomicReference<String> roots = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        server = new FakeCaServer(ca, "the-token").start();
        token = Files.writeString(dir.resolve("istio-token"), "the-token\n");
        roots.set(ca.rootPem());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    GrpcCaClient client() {
        return new GrpcCaClient(server.address(), roots::get, token, "Kubernetes", Duration.ofSeconds(5));
    }

    @Test
    void sign_sendsBearerTokenAndClusterId_andReturnsTheChain() throws Exception {
        try (GrpcCaClient client = client()) {
            var chain = client.sign(CsrFactory.csrPem(CsrFactory.newKeyPair(), ID), Duration.ofHours(2));
            assertThat(chain).hasSize(2);
            assertThat(Pem.uriSans(Pem.certificates(chain.get(0), "leaf").get(0))).containsExactly(ID.spiffeId());
            FakeCaServer.Call call = server.calls().get(0);
            assertThat(call.authorization()).isEqualTo("Bearer the-token");
            assertThat(call.clusterId()).isEqualTo("Kubernetes");
            assertThat(call.validitySeconds()).isEqualTo(7200);
        }
    }

    @Test
    void wrongToken_isARefusalNotAnOutage() throws Exception {
        Files.writeString(token, "stolen");
        try (GrpcCaClient client = client()) {
            assertThatThrownBy(() -> client.sign(CsrFactory.csrPem(CsrFactory.newKeyPair(), ID), Duration.ofHours(1)))
                    .isInstanceOfSatisfying(CaRequestException.class, e -> assertThat(e.unreachable()).isFalse())
                    .hasMessageContaining("UNAUTHENTICATED");
        }
    }

    @Test
    void caDown_isUnreachable() throws Exception {
        server.stop();
        try (GrpcCaClient client = client()) {
            assertThatThrownBy(() -> client.sign(CsrFactory.csrPem(CsrFactory.newKeyPair(), ID), Duration.ofHours(1)))
                    .isInstanceOfSatisfying(CaRequestException.class, e -> assertThat(e.unreachable()).isTrue())
                    .hasMessageContaining(server.address());
        }
    }

    @Test
    void caNotSignedByTheMountedRoot_isNotTrusted() throws Exception {
        roots.set(new TestCa("impostor", Clock.systemUTC()).rootPem());
        try (GrpcCaClient client = client()) {
            assertThatThrownBy(() -> client.sign(CsrFactory.csrPem(CsrFactory.newKeyPair(), ID), Duration.ofHours(1)))
                    .isInstanceOf(CaRequestException.class);
            assertThat(server.calls()).isEmpty();
            // The mounted root changes to the right one: the next request builds a channel that trusts it.
            roots.set(ca.rootPem());
            assertThat(client.sign(CsrFactory.csrPem(CsrFactory.newKeyPair(), ID), Duration.ofHours(1))).hasSize(2);
        }
    }

    @Test
    void missingTokenFile_saysWhichFile() throws Exception {
        Files.delete(token);
        try (GrpcCaClient client = client()) {
            assertThatThrownBy(() -> client.sign("csr", Duration.ofHours(1))).hasMessageContaining(token.toString());
        }
    }
}
