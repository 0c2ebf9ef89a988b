package dev.mesh.proxy.tls;

import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A cluster's TLS to its endpoints from its {@code UpstreamTlsContext}: SNI, ALPN, the client certificate (mesh
 * mutual TLS) and the verification of the server's chain and SANs (the destination's expected SPIFFE ids).
 * Without a validation context the server is not verified, as in Envoy.
 */
public record ClientTlsSettings(String sni, List<String> alpn, List<String> protocols, MeshKeyManager keyManager,
        MeshTrustManager trustManager, UpstreamTlsContext source) {

    public ClientTlsSettings {
        alpn = List.copyOf(alpn);
        protocols = List.copyOf(protocols);
    }

    public static ClientTlsSettings from(TransportSocket socket, SecretResolver secrets, Clock clock, String at) {
        return from(ServerTlsSettings.unpack(socket, UpstreamTlsContext.class, at), secrets, clock, at);
    }


    public static ClientTlsSettings from(UpstreamTlsContext context, SecretResolver secrets, Clock clock, String at) {
        CommonTlsContext common = context.getCommonTlsContext();
        if (common.getTlsCertificateSdsSecretConfigsCount() > 1) {
            throw new IllegalArgumentException(at + ": a client TLS context takes at most one certificate SDS secret");
        }
        MeshKeyManager keys = common.getTlsCertificateSdsSecretConfigsCount() == 0 ? null
                : new MeshKeyManager(secrets.certificate(common.getTlsCertificateSdsSecretConfigs(0).getName(), at));
        MeshTrustManager trust = ServerTlsSettings.Validation.trustManager(common, secrets, clock, at);
        List<String> alpn = new ArrayList<>(common.getAlpnProtocolsList());
        // Offering istio-peer-exchange would promise the metadata exchange this proxy does not speak.
        alpn.remove(ServerTlsSettings.PEER_EXCHANGE);
        return new ClientTlsSettings(context.getSni(), alpn, TlsVersions.enabled(common.getTlsParams(), at), keys,
                trust, context);
    }

    public SslContext nettyContext() {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(protocols)
                // The trust manager checks the SANs it was given; the name dialled is an address, not an identity.
                .endpointIdentificationAlgorithm(null)
                .trustManager(trustManager != null ? trustManager
                        : InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]);
        if (keyManager != null) {
            builder.keyManager(keyManager);
        }
        return ServerTlsSettings.build(builder, alpn, "client");
    }

    /** A handler for one upstream connection, with this context's SNI. */
    public SslHandler newHandler(SslContext context, ByteBufAllocator allocator, String host, int port) {
        SslHandler handler = context.newHandler(allocator, host, port);
        configure(handler.engine());
        return handler;
    }

    /**
     * Sets the SNI on an engine, when it is a host name. Istio's mesh SNI
     * ({@code outbound_.9080_._.ratings.shop.svc.cluster.local}) has underscores: the JDK will not build such a
     * name, and a JDK server (this proxy's inbound side) fails the whole handshake with {@code illegal_parameter}
     * on receiving one (tried: raw host_name bytes), so it is left out. This proxy's inbound side does not choose
     * filter chains by SNI.
     */
    public void configure(SSLEngine engine) {
        serverName().ifPresent(name -> {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(name));
            engine.setSSLParameters(parameters);
        });
    }

    /** The SNI actually sent: {@link #sni()} when it is a valid host name. */
    public java.util.Optional<SNIHostName> serverName() {
        if (sni.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new SNIHostName(sni));
        } catch (IllegalArgumentException notLdh) {
            return java.util.Optional.empty();
        }
    }

    /**
     * TLS on a Vert.x TCP client; pass {@link #serverName()} (when present) as the server name of {@code connect}. The server's identity
     * is checked by the trust manager, so host name verification is off.
     */
    public NetClientOptions applyTo(NetClientOptions options) {
        options.setSsl(true).setHostnameVerificationAlgorithm("")
                .setEnabledSecureTransportProtocols(new HashSet<>(protocols));
        options.setTrustOptions(TrustOptions.wrap(trustManager != null ? trustManager
                : InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]));
        if (keyManager != null) {
            options.setKeyCertOptions(KeyCertOptions.wrap(keyManager));
        }
        return options;
    }

    /**
     * TLS on a Vert.x HTTP client (one client per settings: Vert.x 4 keeps TLS options per client). The server's
     * identity is checked by the trust manager, so host verification is off; ALPN offers h2 when the context does.
     */
    public HttpClientOptions applyTo(HttpClientOptions options) {
        options.setSsl(true).setVerifyHost(false).setEnabledSecureTransportProtocols(new HashSet<>(protocols));
        options.setTrustOptions(TrustOptions.wrap(trustManager != null ? trustManager
                : InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]));
        if (keyManager != null) {
            options.setKeyCertOptions(KeyCertOptions.wrap(keyManager));
        }
        if (alpn.contains("h2")) {
            options.setUseAlpn(true);
        }
        return options;
    }
}
