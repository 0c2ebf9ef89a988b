package dev.mesh.proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.testing.FakeCaServer;
import dev.mesh.proxy.testing.MutableClock;
import dev.mesh.proxy.testing.TestCa;
import dev.mesh.proxy.xds.Backoff;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import dev.mesh.proxy.tls.MeshKeyManager;
import dev.mesh.proxy.tls.MeshTrustManager;
import dev.mesh.proxy.tls.SanPolicy;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation on a fake clock against a real CA server (gRPC over TLS on loopback) that can be stopped. */
class CertificateRotatorTest {

    static final WorkloadIdentity ID = new WorkloadIdentity("cluster.local", "shop", "ratings");
    static final Duration TTL = Duration.ofHours(1);
    static final Duration ROOT_CHECK = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    final MutableClock clock = MutableClock.ofNow();
    final TestCa ca = new TestCa("mesh", clock);
    final CertificateStore store = new CertificateStore();
    FakeCaServer server;
    RootCertFile rootFile;
    GrpcCaClient client;
    CertificateRotator rotator;

    @BeforeEach
    void start() throws Exception {
        server = new FakeCaServer(ca, "tok").start();
        rootFile = new RootCertFile(Files.writeString(dir.resolve("root-cert.pem"), ca.rootPem()));
        Path token = Files.writeString(dir.resolve("istio-token"), "tok");
        client = new GrpcCaClient(server.address(), rootFile::read, token, "Kubernetes", Duration.ofSeconds(5));
        rotator = new CertificateRotator(ID, client, rootFile, store, clock, new RotationPolicy(TTL, 0.5, 0.01),
                new Backoff(Duration.ofSeconds(1), MAX_BACKOFF, new Random(7)), new Random(7), ROOT_CHECK);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    BigInteger serial() {
        return store.current().orElseThrow().leaf().getSerialNumber();
    }

    @Test
    void firstCertificate_thenRenewalAtHalfLifeWithJitter_withANewKey() {
        assertThat(rotator.runOnce()).isEqualTo(ROOT_CHECK);
        WorkloadCertificate first = store.current().orElseThrow();
        assertThat(first.spiffeId()).isEqualTo(ID.spiffeId());
        assertThat(Duration.between(first.notBefore(), first.notAfter())).isEqualTo(TTL);
        Instant halfLife = first.notBefore().plus(TTL.dividedBy(2));
        assertThat(rotator.renewAt()).isBetween(halfLife.minus(TTL.multipliedBy(1).dividedBy(100)),
                halfLife.plus(TTL.dividedBy(100)));

        clock.set(rotator.renewAt().minusSeconds(1));
        assertThat(rotator.runOnce()).isEqualTo(Duration.ofSeconds(1));
        assertThat(rotator.renewals()).isEqualTo(1);

        clock.set(rotator.renewAt());
        rotator.runOnce();
        assertThat(rotator.renewals()).isEqualTo(2);
        WorkloadCertificate second = store.current().orElseThrow();
        assertThat(second.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
        assertThat(second.leaf().getPublicKey()).isNotEqualTo(first.leaf().getPublicKey());
        assertThat(second.notBefore()).isEqualTo(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    @Test
    void caOutage_keepsServingTheCurrentCertificate_retriesWithBackoff_resumesWhenBack() throws Exception {
        rotator.runOnce();
        BigInteger first = serial();
        server.stop();
        clock.set(rotator.renewAt());

        for (int i = 0; i < 8; i++) {
            Duration retry = rotator.runOnce();
            assertThat(retry).isLessThanOrEqualTo(MAX_BACKOFF).isGreaterThanOrEqualTo(Duration.ZERO);
            clock.advance(retry);
        }
        assertThat(rotator.failures()).isEqualTo(8);
        assertThat(rotator.renewals()).isEqualTo(1);
        assertThat(serial()).isEqualTo(first);
        assertThat(handshakeServerSerial()).as("TLS still served with the current certificate").isEqualTo(first);

        server.start();
        rotator.runOnce();
        assertThat(rotator.renewals()).isEqualTo(2);
        assertThat(serial()).isNotEqualTo(first);
        assertThat(handshakeServerSerial()).isEqualTo(serial());
    }

    @Test
    void rootChange_renewsAtOnce_andPeersAreVerifiedAgainstTheNewRoots() throws Exception {
        rotator.runOnce();
        Instant due = rotator.renewAt();
        TestCa next = new TestCa("mesh-2", clock);
        server.stop();
        server.useCa(next);
        server.start();
        Files.writeString(rootFile.path(), next.rootPem() + ca.rootPem());
        clock.advance(Duration.ofSeconds(5));

        rotator.runOnce();
        assertThat(rotator.renewals()).isEqualTo(2);
        assertThat(clock.instant()).isBefore(due);
        WorkloadCertificate renewed = store.current().orElseThrow();
        assertThat(renewed.roots()).containsExactly(next.root(), ca.root());
        assertThat(renewed.leaf().getIssuerX500Principal()).isEqualTo(next.root().getSubjectX500Principal());
    }

    @Test
    void answerForAnotherIdentity_isRefused_andNothingIsStored() {
        CertificateSource liar = (csr, ttl) -> List.of(Pem.encode(ca.issue("spiffe://cluster.local/ns/shop/sa/admin",
                ttl).leaf()));
        CertificateRotator fooled = new CertificateRotator(ID, liar, rootFile, store, clock,
                new RotationPolicy(TTL, 0.5, 0), new Backoff(Duration.ofSeconds(1), MAX_BACKOFF, new Random(1)),
                new Random(1), ROOT_CHECK);
        assertThat(fooled.runOnce()).isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(fooled.failures()).isEqualTo(1);
        assertThat(store.current()).isEmpty();
    }

    @Test
    void rootFileMissing_isRetried() throws Exception {
        Files.delete(rootFile.path());
        rotator.runOnce();
        assertThat(rotator.failures()).isEqualTo(1);
        assertThat(store.current()).isEmpty();
        Files.writeString(rootFile.path(), ca.rootPem());
        rotator.runOnce();
        assertThat(store.current()).isPresent();
    }

    /** A real TLS handshake against a server presenting the store's certificate; returns the serial it presented. */
    private BigInteger handshakeServerSerial() throws Exception {
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(new KeyManager[] {new MeshKeyManager(() -> store.current().orElse(null))}, null, null);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, new TrustManager[] {new MeshTrustManager(
                () -> store.current().map(WorkloadCertificate::roots).orElse(List.of()),
                SanPolicy.exactUris(List.of(ID.spiffeId())), clock)}, null);
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0,
                1, java.net.InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                    s.getOutputStream().write(1);
                } catch (Exception ignored) {
                    // the client side reports the failure
                }
            });
            accept.start();
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(
                    java.net.InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.startHandshake();
                assertThat(socket.getInputStream().read()).isEqualTo(1);
                return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
                        .getSerialNumber();
            } finally {
                accept.join(5000);
            }
        }
    }
}
