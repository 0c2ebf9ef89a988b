package dev.mesh.proxy.tls;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.identity.WorkloadCertificate;
import dev.mesh.proxy.model.StringMatcher;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.time.Clock;
import java.util.List;

/**
 * The channel to the control plane's ADS server. On its mutual-TLS port (15012, or when asked) the proxy presents
 * its workload certificate (the current one at each handshake, so rotation needs no reconnect) and accepts only a
 * server certificate that chains to the mesh root and names the host it dialled (a DNS SAN), as Istio's agent
 * dials istiod; otherwise plain text (15010).
 */
public final class ControlPlaneChannel {

    /** The ADS port Istio serves over mutual TLS. */
    public static final int MTLS_PORT = 15012;

    private ControlPlaneChannel() {
    }

    /** Whether {@code host:port} is dialled with mutual TLS: when its port is 15012, as Istio's agent does. */
    public static boolean usesTls(String address) {
        return port(address) == MTLS_PORT;
    }

    /**
     * A channel to {@code address}; with TLS, {@code store} supplies the client certificate and the trusted roots.
     *
     * @throws IllegalArgumentException when TLS is asked for without a workload identity
     */
    public static ManagedChannel open(String address, boolean tls, CertificateStore store, Clock clock) {
        ChannelCredentials credentials;
        if (tls) {
            if (store == null) {
                throw new IllegalArgumentException("discovery address " + address + " is dialled with mutual TLS, which"
                        + " needs the workload certificate: set mesh.proxy.identity.enabled=true (or use the plain-text"
                        + " port 15010)");
            }
            String host = host(address);
            SanPolicy serverName = new SanPolicy(List.of(new SanPolicy.Rule(
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher.SanType.DNS,
                    new StringMatcher(StringMatcher.Kind.EXACT, host, null, true))));
            credentials = TlsChannelCredentials.newBuilder()
                    .keyManager(new MeshKeyManager(() -> store.current().orElse(null)))
                    .trustManager(new MeshTrustManager(() -> store.current().map(WorkloadCertificate::roots)
                            .orElse(List.of()), serverName, clock))
                    .build();
        } else {
            credentials = InsecureChannelCredentials.create();
        }
        return Grpc.newChannelBuilder(address, credentials).build();
    }

    static String host(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static int port(String address) {
        int colon = address.lastIndexOf(':');
        try {
            return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
