package dev.mesh.proxy.capture;

import dev.mesh.proxy.model.Listener;
import dev.mesh.proxy.model.ListenerView;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Which listener a captured connection belongs to, by its original destination, Envoy's way for a sidecar:
 * outbound, a listener on exactly {@code ip:port} (a TCP service's {@code 10.0.0.5_443}) wins over one on
 * {@code 0.0.0.0:port} (the HTTP {@code 0.0.0.0_80}), and with neither the capture listener's own default
 * chain ({@code virtualOutbound} → PassthroughCluster, or BlackHoleCluster under REGISTRY_ONLY) decides.
 * Inbound, the {@code virtualInbound} chain for the destination port, else its default chain
 * (InboundPassthroughCluster). Immutable; rebuilt on every config apply.
 */
public record CaptureTable(Map<String, ListenerView> outboundExact, Map<Integer, ListenerView> outboundByPort,
        ListenerView outboundDefault, Map<Integer, ListenerView> inboundByPort, ListenerView inboundDefault) {

    public static final CaptureTable EMPTY = new CaptureTable(Map.of(), Map.of(), null, Map.of(), null);

    public static CaptureTable of(Map<String, ListenerView> views, int outboundPort, int inboundPort) {
        Map<String, ListenerView> exact = new HashMap<>();
        Map<Integer, ListenerView> byPort = new HashMap<>();
        Map<Integer, ListenerView> inbound = new HashMap<>();
        ListenerView outboundDefault = null;
        ListenerView inboundDefault = null;
        for (ListenerView v : views.values()) {
            Listener l = v.listener();
            if (l.bindToPort() && l.port() == outboundPort && !l.inbound()) {
                outboundDefault = v;
            } else if (l.bindToPort() && l.port() == inboundPort && l.inbound()) {
                inboundDefault = v;
            } else if (l.inbound()) {
                inbound.putIfAbsent(l.port(), v);
            } else if (l.wildcardAddress()) {
                byPort.putIfAbsent(l.port(), v);
            } else {
                exact.putIfAbsent(key(l.address(), l.port()), v);
            }
        }
        return new CaptureTable(Map.copyOf(exact), Map.copyOf(byPort), outboundDefault, Map.copyOf(inbound),
                inboundDefault);
    }

    /** The outbound listener for a destination; null when the proxy has no config yet. */
    public ListenerView outbound(InetSocketAddress dst) {
        return outbound(dst.getAddress().getHostAddress(), dst.getPort());
    }

    /** The outbound listener for a destination given as IP literal and port. */
    public ListenerView outbound(String hostAddress, int port) {
        ListenerView v = outboundExact.isEmpty() ? null : outboundExact.get(key(hostAddress, port));
        if (v == null) {
            v = outboundByPort.get(port);
        }
        return v != null ? v : outboundDefault;
    }

    /** The inbound listener for a destination port; null when the proxy has no config yet. */
    public ListenerView inbound(int port) {
        ListenerView v = inboundByPort.get(port);
        return v != null ? v : inboundDefault;
    }

    private static String key(String address, int port) {
        return address + ":" + port;
    }
}
