package dev.mesh.proxy.tls;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import java.util.ArrayList;
import java.util.List;

/** Envoy's {@code TlsParameters} as JDK protocol names; Envoy's defaults (TLS 1.2 to 1.3) when unset. */
final class TlsVersions {

    private static final List<TlsProtocol> ORDER = List.of(TlsProtocol.TLSv1_0, TlsProtocol.TLSv1_1,
            TlsProtocol.TLSv1_2, TlsProtocol.TLSv1_3);
    private static final List<String> NAMES = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private TlsVersions() {
    }

    static List<String> enabled(TlsParameters params, String at) {
        int min = index(params.getTlsMinimumProtocolVersion(), TlsProtocol.TLSv1_2, at);
        int max = index(params.getTlsMaximumProtocolVersion(), TlsProtocol.TLSv1_3, at);
        if (min > max) {
            throw new IllegalArgumentException(at + ": TLS minimum version " + NAMES.get(min) + " is above the maximum "
                    + NAMES.get(max));
        }
        return List.copyOf(new ArrayList<>(NAMES.subList(min, max + 1)));
    }

    private static int index(TlsProtocol protocol, TlsProtocol auto, String at) {
        if (protocol == TlsProtocol.TLS_AUTO) {
            return ORDER.indexOf(auto);
        }
        int i = ORDER.indexOf(protocol);
        if (i < 0) {
            throw new IllegalArgumentException(at + ": TLS version " + protocol + " is not known");
        }
        return i;
    }
}
