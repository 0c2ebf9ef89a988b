package dev.mesh.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.ListenerView;
import dev.mesh.proxy.testing.Golden;
import dev.mesh.proxy.xds.XdsState;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureTableTest {

    private static CaptureTable walkthroughSidecar() throws Exception {
        String file = "walkthrough-sidecar.json";
        XdsState state = new XdsState();
        state.accept(XdsState.CDS, "1", Golden.load(file, "CDS"));
        state.accept(XdsState.EDS, "1", Golden.load(file, "EDS"));
        state.accept(XdsState.LDS, "1", Golden.load(file, "LDS"));
        state.accept(XdsState.RDS, "1", Golden.load(file, "RDS"));
        Map<String, ListenerView> views = state.assemble();
        assertThat(state.warm()).isTrue();
        return CaptureTable.of(views, 15001, 15006);
    }

    @Test
    void outbound_exactAddressBeatsPortThenVirtualOutbound() throws Exception {
        CaptureTable table = walkthroughSidecar();
        assertThat(table.outbound(new InetSocketAddress("10.98.50.247", 443)).listener().name()).isEqualTo("10.98.50.247_443");
        assertThat(table.outbound(new InetSocketAddress("10.96.7.7", 80)).listener().name()).isEqualTo("0.0.0.0_80");
        ListenerView unknown = table.outbound(new InetSocketAddress("93.184.216.34", 5432));
        assertThat(unknown.listener().name()).isEqualTo("virtualOutbound");
        assertThat(unknown.clusters().get("PassthroughCluster").lbPolicy()).isEqualTo(ClusterSpec.LbPolicy.ORIGINAL_DST);
    }

    @Test
    void inbound_portChainElsePassthrough() throws Exception {
        CaptureTable table = walkthroughSidecar();
        ListenerView app = table.inbound(9898);
        assertThat(app.listener().http()).isTrue();
        assertThat(app.clusters().get("inbound|9898||").staticEndpoints()).singleElement()
                .satisfies(e -> assertThat(e.key()).isEqualTo("127.0.0.1:9898"));
        // STRICT: a port no Service declares goes nowhere in plain text (the walkthrough's PeerAuthentication).
        assertThat(table.inbound(22).listener().name()).isEqualTo("virtualInbound|default");
        assertThat(table.inbound(22).clusters()).containsKey("BlackHoleCluster");
    }

    @Test
    void withoutConfig_nothingIsSelected() {
        assertThat(CaptureTable.EMPTY.outbound(new InetSocketAddress("10.0.0.1", 80))).isNull();
        assertThat(CaptureTable.EMPTY.inbound(80)).isNull();
    }
}
