package dev.mesh.proxy.tls;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.List;

/** {@link MeshContexts} for tests in other packages: reviews → ratings in namespace shop. */
public final class TestContexts {

    private TestContexts() {
    }

    public static DownstreamTlsContext inbound() {
        return MeshContexts.inbound("cluster.local");
    }

    public static UpstreamTlsContext outbound() {
        return MeshContexts.outbound("outbound_.9080_._.ratings.shop.svc.cluster.local",
                List.of("istio-peer-exchange", "istio"), List.of("spiffe://cluster.local/ns/shop/sa/ratings"), true);
    }
}
