package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.testing.TestCa;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real TLS handshakes on loopback between a server and a client built from the contexts the distributor sends. */
class MeshTlsHandshakeTest {

    static final Clock CLOCK = Clock.systemUTC();
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";
    static final String SNI = "outbound_.9080_._.ratings.shop.svc.cluster.local";

    final TestCa ca = new TestCa("mesh", CLOCK);
    final CertificateStore serverStore = CertificateStore.of(ca.issue(RATINGS, Duration.ofHours(1)));
    final CertificateStore clientStore = CertificateStore.of(ca.issue(REVIEWS, Duration.ofHours(1)));
    TlsPeers.Server server;

    @BeforeEach
    void startStrictServer() throws Exception {
        ServerTlsSettings settings = ServerTlsSettings.from(MeshContexts.inbound("cluster.local"),
                new SecretResolver(serverStore), CLOCK, "test inbound");
        var context = settings.nettyContext();
        server = new TlsPeers.Server(() -> context.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    ClientTlsSettings client(CertificateStore store, List<String> alpn, List<String> expected, boolean withCert) {
        return ClientTlsSettings.from(MeshContexts.outbound(SNI, alpn, expected, withCert), new SecretResolver(store),
                CLOCK, "test outbound");
    }

    /** True when the server refused: the handshake failed, or (TLS 1.3) the connection closed at the first read. */
    boolean refused(ClientTlsSettings settings) throws Exception {
        try (TlsPeers.Client c = new TlsPeers.Client(server.port(), settings)) {
            return c.ask() == null;
        } catch (TlsPeers.HandshakeFailed e) {
            return true;
        }
    }

    @Test
    void mutualTls_eachSideSeesTheOthersSpiffeId_andAlpnPicksH2() throws Exception {
        try (TlsPeers.Client c = new TlsPeers.Client(server.port(),
                client(clientStore, List.of("istio-peer-exchange", "istio", "h2"), List.of(RATINGS), true))) {
            // The mesh SNI has underscores, which a JDK server refuses: it is not sent (see ClientTlsSettings).
            assertThat(c.ask()).isEqualTo("tls=true peer=" + REVIEWS + " sni=- alpn=h2");
            assertThat(new PeerIdentity(c.serverCertificate()).uri()).isEqualTo(RATINGS);
        }
    }

    @Test
    void hostNameSni_isSent() throws Exception {
        ClientTlsSettings settings = ClientTlsSettings.from(MeshContexts.outbound("ratings.shop.svc.cluster.local",
                List.of("istio"), List.of(RATINGS), true), new SecretResolver(clientStore), CLOCK, "test outbound");
        try (TlsPeers.Client c = new TlsPeers.Client(server.port(), settings)) {
            assertThat(c.ask()).isEqualTo("tls=true peer=" + REVIEWS + " sni=ratings.shop.svc.cluster.local alpn=-");
        }
    }

    @Test
    void strict_refusesClientWithoutCertificate() throws Exception {
        assertThat(refused(client(clientStore, List.of("istio"), List.of(RATINGS), false))).isTrue();
    }

    @Test
    void strict_refusesCertificateFromAnotherRoot() throws Exception {
        TestCa other = new TestCa("other", CLOCK);
        CertificateStore foreign = CertificateStore.of(other.issue(REVIEWS, Duration.ofHours(1)));
        // The foreign client trusts our root, so only the server's check can fail.
        foreign.update(new dev.mesh.proxy.identity.WorkloadCertificate(foreign.current().get().chain(),
                foreign.current().get().key(), List.of(ca.root())));
        assertThat(refused(client(foreign, List.of("istio"), List.of(RATINGS), true))).isTrue();
    }

    @Test
    void strict_refusesOtherTrustDomainEvenFromTheSameRoot() throws Exception {
        CertificateStore otherDomain = CertificateStore.of(ca.issue("spiffe://other.local/ns/shop/sa/reviews",
                Duration.ofHours(1)));
        assertThat(refused(client(otherDomain, List.of("istio"), List.of(RATINGS), true))).isTrue();
    }

    @Test
    void upstream_refusesServerWithUnexpectedIdentity() {
        assertThatThrownBy(() -> new TlsPeers.Client(server.port(),
                client(clientStore, List.of("istio"), List.of("spiffe://cluster.local/ns/shop/sa/details"), true)))
                .isInstanceOf(TlsPeers.HandshakeFailed.class)
                .hasMessageContaining("matches none of the expected subject alternative names");
    }

    @Test
    void rotation_newHandshakesGetTheNewCertificate_openConnectionsStay() throws Exception {
        ClientTlsSettings settings = client(clientStore, List.of("istio"), List.of(RATINGS), true);
        try (TlsPeers.Client before = new TlsPeers.Client(server.port(), settings)) {
            assertThat(before.ask()).startsWith("tls=true peer=" + REVIEWS);
            var oldSerial = before.serverCertificate().getSerialNumber();

            serverStore.update(ca.issue(RATINGS, Duration.ofHours(1)));
            clientStore.update(ca.issue(REVIEWS, Duration.ofHours(1)));

            try (TlsPeers.Client after = new TlsPeers.Client(server.port(), settings)) {
                assertThat(after.ask()).startsWith("tls=true peer=" + REVIEWS);
                assertThat(after.serverCertificate().getSerialNumber()).isNotEqualTo(oldSerial)
                        .isEqualTo(serverStore.current().get().leaf().getSerialNumber());
            }
            assertThat(before.isOpen()).isTrue();
            assertThat(before.ask()).startsWith("tls=true peer=" + REVIEWS);
            assertThat(before.serverCertificate().getSerialNumber()).isEqualTo(oldSerial);
        }
    }

    @Test
    void noCertificateYet_handshakeFailsUntilOneArrives() throws Exception {
        CertificateStore empty = new CertificateStore();
        ServerTlsSettings settings = ServerTlsSettings.from(MeshContexts.inbound("cluster.local"),
                new SecretResolver(empty), CLOCK, "test inbound");
        var context = settings.nettyContext();
        try (TlsPeers.Server waiting = new TlsPeers.Server(() -> context.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT))) {
            ClientTlsSettings c = client(clientStore, List.of("istio"), List.of(RATINGS), true);
            assertThatThrownBy(() -> new TlsPeers.Client(waiting.port(), c).close())
                    .isInstanceOf(TlsPeers.HandshakeFailed.class);
            empty.update(ca.issue(RATINGS, Duration.ofHours(1)));
            try (TlsPeers.Client ok = new TlsPeers.Client(waiting.port(), c)) {
                assertThat(ok.ask()).startsWith("tls=true peer=" + REVIEWS);
            }
        }
    }

    @Test
    void unknownSdsSecret_isRefusedWithItsName() {
        var context = MeshContexts.inbound("cluster.local").toBuilder();
        context.getCommonTlsContextBuilder().getTlsCertificateSdsSecretConfigsBuilder(0).setName("kubernetes://gw-cred");
        assertThatThrownBy(() -> ServerTlsSettings.from(context.build(), new SecretResolver(serverStore), CLOCK,
                "listener 0.0.0.0_443")).hasMessageContaining("listener 0.0.0.0_443")
                .hasMessageContaining("kubernetes://gw-cred");
    }
}
