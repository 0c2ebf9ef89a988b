package dev.mesh.proxy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The client address and the upstream XFF, case by case as Envoy's connection manager decides them. */
class ForwardedForTest {

    static final String PEER = "10.244.0.6";
    static final ForwardedFor GATEWAY = new ForwardedFor(true, 0, false);
    static final ForwardedFor SIDECAR = ForwardedFor.ENVOY_DEFAULT;

    @Test
    void edge_appendsThePeerOnce_andTrustsOnlyThePeer() {
        assertThat(GATEWAY.upstreamHeader(PEER, null)).isEqualTo(PEER);
        assertThat(GATEWAY.upstreamHeader(PEER, "192.0.2.1")).isEqualTo("192.0.2.1," + PEER);
        assertThat(GATEWAY.clientAddress(PEER, "192.0.2.1, 198.51.100.2")).isEqualTo(PEER);
        assertThat(GATEWAY.edge()).isTrue();
    }

    @Test
    void edge_withSkipXffAppend_leavesTheHeaderAlone() {
        ForwardedFor skip = new ForwardedFor(true, 0, true);
        assertThat(skip.upstreamHeader(PEER, null)).isNull();
        assertThat(skip.upstreamHeader(PEER, "192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(skip.clientAddress(PEER, "192.0.2.1")).isEqualTo(PEER);
    }

    @Test
    void edge_withTrustedHops_takesTheNthEntryFromTheRight_elseThePeer() {
        ForwardedFor oneHop = new ForwardedFor(true, 1, false);
        assertThat(oneHop.clientAddress(PEER, "192.0.2.10, 192.0.2.1, 10.0.0.1")).isEqualTo("10.0.0.1");
        ForwardedFor twoHops = new ForwardedFor(true, 2, false);
        assertThat(twoHops.clientAddress(PEER, "192.0.2.10, 192.0.2.1, 10.0.0.1")).isEqualTo("192.0.2.1");
        assertThat(twoHops.clientAddress(PEER, "10.0.0.1")).as("too few entries").isEqualTo(PEER);
        assertThat(oneHop.clientAddress(PEER, null)).isEqualTo(PEER);
    }

    @Test
    void sidecar_neverAppends_andTakesTheRightmostEntry_notTheClientsFirst() {
        assertThat(SIDECAR.upstreamHeader(PEER, null)).isNull();
        assertThat(SIDECAR.upstreamHeader(PEER, "192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(SIDECAR.clientAddress(PEER, "192.0.2.10, 192.0.2.1, 10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(SIDECAR.clientAddress(PEER, null)).isEqualTo(PEER);
        assertThat(SIDECAR.clientAddress(PEER, "")).isEqualTo(PEER);
        assertThat(SIDECAR.edge()).isFalse();
    }

    @Test
    void sidecar_withTrustedHops_takesTheEntryPastThem() {
        ForwardedFor oneHop = new ForwardedFor(false, 1, false);
        assertThat(oneHop.clientAddress(PEER, "192.0.2.10, 192.0.2.1 ,10.0.0.1,10.0.0.2")).isEqualTo("10.0.0.1");
        assertThat(oneHop.clientAddress(PEER, "10.0.0.2")).as("too few entries").isEqualTo(PEER);
    }

    @Test
    void anEntryThatIsNoAddress_fallsBackToThePeer() {
        assertThat(SIDECAR.clientAddress(PEER, "192.0.2.1, not-an-ip")).isEqualTo(PEER);
        assertThat(SIDECAR.clientAddress(PEER, "192.0.2.1,")).isEqualTo(PEER);
        assertThat(SIDECAR.clientAddress(PEER, "192.0.2.1, 300.1.1.1")).isEqualTo(PEER);
        assertThat(SIDECAR.clientAddress(PEER, "192.0.2.1, 10.0.0.1:8080")).isEqualTo(PEER);
        assertThat(SIDECAR.clientAddress(PEER, "192.0.2.1, 2001:db8::7")).isEqualTo("2001:db8::7");
        assertThat(SIDECAR.clientAddress(PEER, "192.0.2.1, 2001:db8::zz")).isEqualTo(PEER);
    }

    @Test
    void negativeTrustedHops_areRefused() {
        assertThatThrownBy(() -> new ForwardedFor(false, -1, false)).hasMessageContaining("xff_num_trusted_hops");
    }
}
