package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.testing.TestCa;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ForwardClientCertDetails;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class XfccTest {

    static final String LOCAL = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String PEER = "spiffe://cluster.local/ns/shop/sa/reviews";
    /** What Istio's sidecars ask for (the distributor's inbound HCM). */
    static final SetCurrentClientCertDetails ISTIO = SetCurrentClientCertDetails.newBuilder()
            .setSubject(com.google.protobuf.BoolValue.of(true)).setUri(true).setDns(true).build();

    final PeerIdentity peer = new PeerIdentity(new TestCa("mesh", Clock.systemUTC()).issue(PEER, Duration.ofHours(1)).leaf());

    @Test
    void element_isIstiosFormat() throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(peer.certificate().getEncoded()));
        assertThat(Xfcc.element(LOCAL, peer, ISTIO))
                .isEqualTo("By=" + LOCAL + ";Hash=" + hash + ";Subject=\"\";URI=" + PEER);
        assertThat(peer.principalName()).isEqualTo(PEER);
    }

    @Test
    void appendForward_appendsToWhatTheClientSent() {
        assertThat(Xfcc.apply("By=a;Hash=b", ForwardClientCertDetails.APPEND_FORWARD, ISTIO, LOCAL, Optional.of(peer)))
                .hasValueSatisfying(v -> assertThat(v).startsWith("By=a;Hash=b,By=" + LOCAL + ";Hash="));
        assertThat(Xfcc.apply(null, ForwardClientCertDetails.SANITIZE_SET, ISTIO, LOCAL, Optional.of(peer)))
                .hasValueSatisfying(v -> assertThat(v).startsWith("By=" + LOCAL).endsWith("URI=" + PEER));
    }

    @Test
    void withoutMutualTls_aClientsClaimIsRemoved() {
        assertThat(Xfcc.apply("By=spiffe://forged;URI=spiffe://admin", ForwardClientCertDetails.APPEND_FORWARD, ISTIO,
                LOCAL, Optional.empty())).isEmpty();
        assertThat(Xfcc.apply("x", ForwardClientCertDetails.ALWAYS_FORWARD_ONLY, ISTIO, LOCAL, Optional.empty()))
                .contains("x");
        assertThat(Xfcc.apply("x", ForwardClientCertDetails.SANITIZE, ISTIO, LOCAL, Optional.of(peer))).isEmpty();
    }
}
