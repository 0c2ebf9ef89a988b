package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.testing.TestCa;
import io.netty.buffer.Unpooled;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PERMISSIVE: mutual TLS and plain text on one port, told apart by the first bytes. */
class PermissiveTlsHandlerTest {

    static final Clock CLOCK = Clock.systemUTC();
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";

    @Test
    void detector_tellsTlsFromPlainText() {
        assertThat(TlsDetector.detect(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x02}))).isEqualTo(
                TlsDetector.Transport.TLS);
        assertThat(TlsDetector.detect(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", java.nio.charset.StandardCharsets.US_ASCII)))
                .isEqualTo(TlsDetector.Transport.PLAINTEXT);
        assertThat(TlsDetector.detect(Unpooled.wrappedBuffer(new byte[] {0x16}))).isEqualTo(TlsDetector.Transport.NEED_MORE);
        assertThat(TlsDetector.detect(Unpooled.EMPTY_BUFFER)).isEqualTo(TlsDetector.Transport.NEED_MORE);
        assertThat(TlsDetector.detect(new byte[] {0x16, 0x01}, 2)).isEqualTo(TlsDetector.Transport.PLAINTEXT);
        assertThat(TlsDetector.detect(new byte[] {'P', 'R', 'I'}, 3)).isEqualTo(TlsDetector.Transport.PLAINTEXT);
    }

    @Test
    void samePort_servesMutualTlsAndPlainText() throws Exception {
        TestCa ca = new TestCa("mesh", CLOCK);
        CertificateStore serverStore = CertificateStore.of(ca.issue(RATINGS, Duration.ofHours(1)));
        CertificateStore clientStore = CertificateStore.of(ca.issue(REVIEWS, Duration.ofHours(1)));
        var serverContext = ServerTlsSettings.from(MeshContexts.inbound("cluster.local"), new SecretResolver(serverStore),
                CLOCK, "permissive").nettyContext();
        ClientTlsSettings mtls = ClientTlsSettings.from(MeshContexts.outbound("", List.of("istio"), List.of(RATINGS), true),
                new SecretResolver(clientStore), CLOCK, "client");
        try (TlsPeers.Server server = new TlsPeers.Server(() -> new PermissiveTlsHandler(serverContext))) {
            try (TlsPeers.Client tls = new TlsPeers.Client(server.port(), mtls)) {
                assertThat(tls.ask()).isEqualTo("tls=true peer=" + REVIEWS + " sni=- alpn=-");
            }
            try (TlsPeers.Client plain = new TlsPeers.Client(server.port(), null)) {
                assertThat(plain.ask()).isEqualTo("tls=false peer=- sni=- alpn=-");
                assertThat(plain.ask()).as("later bytes on the same connection too").isEqualTo("tls=false peer=- sni=- alpn=-");
            }
        }
    }
}
