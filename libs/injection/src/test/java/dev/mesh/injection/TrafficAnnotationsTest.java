package dev.mesh.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficAnnotationsTest {

    @Test
    void noAnnotations_captureEverything() {
        assertThat(TrafficAnnotations.from(Map.of())).isEqualTo(new TrafficAnnotations("*", "", "*", "", ""));
    }

    @Test
    void validCidrs_includingIpv6_areAccepted() {
        for (String cidr : new String[] {"10.0.0.0/8", "0.0.0.0/0", "192.168.1.1/32", "::/0", "fd00::/8",
                "2001:db8::1/128", "::ffff:10.0.0.1/128", "1:2:3:4:5:6:7:8/64"}) {
            assertThat(TrafficAnnotations.cidrProblem(cidr)).as(cidr).isNull();
        }
    }

    @Test
    void invalidCidrs_areRefused() {
        for (String cidr : new String[] {"10.0.0.0", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/33", "fd00::/129",
                "1::2::3/64", "example.com/8", "10.0.0.0/-1", "1:2:3:4:5:6:7:8:9/64", "/8"}) {
            assertThat(TrafficAnnotations.cidrProblem(cidr)).as(cidr).isNotNull();
        }
    }

    @Test
    void wildcard_isOnlyForIncludeLists() {
        assertThat(TrafficAnnotations.from(Map.of(TrafficAnnotations.INCLUDE_INBOUND_PORTS, "*")).includeInboundPorts())
                .isEqualTo("*");
        assertThatThrownBy(() -> TrafficAnnotations.from(Map.of(TrafficAnnotations.EXCLUDE_OUTBOUND_IP_RANGES, "*")))
                .isInstanceOf(InjectionRefusedException.class)
                .hasMessageContaining("traffic.sidecar.istio.io/excludeOutboundIPRanges=\"*\"");
    }

    @Test
    void portZero_isRefused() {
        assertThatThrownBy(() -> TrafficAnnotations.from(Map.of(TrafficAnnotations.EXCLUDE_INBOUND_PORTS, "0")))
                .hasMessageContaining("\"0\" is not a port number 1..65535");
    }
}
