package dev.mesh.proxy.tls;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.TrustOptions;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.X509TrustManager;

/**
 * The HTTP clients for upstream TLS (Vert.x 4 keeps TLS options per client): one per distinct
 * {@code UpstreamTlsContext} (compared by value, so a new config with the same TLS keeps its clients and their
 * connections) and HTTP version, made on first use. Certificates are read per handshake, so rotation needs no new
 * client. Clients are kept for the life of the proxy: one per TLS context ever used (a few per destination
 * service). An endpoint whose cluster's TLS could not be built gets a client whose every handshake fails, so its
 * requests fail like a refused connection and never go out in plain text.
 */
public final class UpstreamHttpClients {

    private final Vertx vertx;
    private final Supplier<MeshOutbound> outbound;
    private final HttpClientOptions base;
    private final PoolOptions pool;
    private final Map<UpstreamTlsContext, HttpClient[]> clients = new HashMap<>();
    private final Map<String, HttpClient> refusing = new HashMap<>();

    public UpstreamHttpClients(Vertx vertx, Supplier<MeshOutbound> outbound, HttpClientOptions base, PoolOptions pool) {
        this.vertx = vertx;
        this.outbound = outbound;
        this.base = base;
        this.pool = pool;
    }

    /** The client for an endpoint, or empty when it is reached in plain text (use the proxy's plain clients). */
    public synchronized Optional<HttpClient> forEndpoint(String cluster, String host, int port, boolean http2) {
        MeshOutbound.Upstream upstream = outbound.get().forEndpoint(cluster, host, port);
        if (upstream.error().isPresent()) {
            String reason = upstream.error().get();
            return Optional.of(refusing.computeIfAbsent(reason, r -> vertx.createHttpClient(new HttpClientOptions(base)
                    .setSsl(true).setTrustOptions(TrustOptions.wrap(new Refuse(r))), pool)));
        }
        if (upstream.tls().isEmpty()) {
            return Optional.empty();
        }
        ClientTlsSettings tls = upstream.tls().get();
        HttpClient[] pair = clients.computeIfAbsent(tls.source(), t -> new HttpClient[2]);
        int i = http2 ? 1 : 0;
        if (pair[i] == null) {
            HttpClientOptions options = new HttpClientOptions(base)
                    .setProtocolVersion(http2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
            pair[i] = vertx.createHttpClient(tls.applyTo(options), pool);
        }
        return Optional.of(pair[i]);
    }

    /** A trust manager that refuses every server, saying why. */
    private record Refuse(String reason) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException(reason);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("upstream TLS unusable: " + reason);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
