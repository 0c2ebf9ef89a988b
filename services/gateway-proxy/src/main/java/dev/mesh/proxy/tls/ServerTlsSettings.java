package dev.mesh.proxy.tls;

import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * A listener's TLS from its {@code DownstreamTlsContext}: the certificate to present, whether and how client
 * certificates are verified, ALPN and protocol versions; as a Netty {@link SslContext} or applied to Vert.x server
 * options. Certificates and roots are looked up on every handshake, so a rotation needs no rebuild.
 */
public record ServerTlsSettings(boolean requireClientCertificate, List<String> alpn, List<String> protocols,
        MeshKeyManager keyManager, MeshTrustManager trustManager) {

    /** Istio's metadata exchange ALPN: this proxy does not speak it, so it never advertises it. */
    static final String PEER_EXCHANGE = "istio-peer-exchange";

    public ServerTlsSettings {
        alpn = List.copyOf(alpn);
        protocols = List.copyOf(protocols);
    }

    public static ServerTlsSettings from(TransportSocket socket, SecretResolver secrets, Clock clock, String at) {
        return from(unpack(socket, DownstreamTlsContext.class, at), secrets, clock, at);
    }


    public static ServerTlsSettings from(DownstreamTlsContext context, SecretResolver secrets, Clock clock, String at) {
        CommonTlsContext common = context.getCommonTlsContext();
        if (common.getTlsCertificateSdsSecretConfigsCount() != 1) {
            throw new IllegalArgumentException(at + ": a server TLS context needs exactly one certificate SDS secret, has "
                    + common.getTlsCertificateSdsSecretConfigsCount());
        }
        MeshKeyManager keys = new MeshKeyManager(
                secrets.certificate(common.getTlsCertificateSdsSecretConfigs(0).getName(), at));
        MeshTrustManager trust = Validation.trustManager(common, secrets, clock, at);
        boolean require = context.getRequireClientCertificate().getValue();
        if (require && trust == null) {
            throw new IllegalArgumentException(at + ": client certificates are required but there is no validation context");
        }
        List<String> alpn = new ArrayList<>(common.getAlpnProtocolsList());
        alpn.remove(PEER_EXCHANGE);
        return new ServerTlsSettings(require, alpn, TlsVersions.enabled(common.getTlsParams(), at), keys, trust);
    }

    /** A Netty server context (JDK provider, so the managers are asked on every handshake). */
    public SslContext nettyContext() {
        SslContextBuilder builder = SslContextBuilder.forServer(keyManager).sslProvider(SslProvider.JDK)
                .protocols(protocols)
                .clientAuth(trustManager == null ? ClientAuth.NONE
                        : requireClientCertificate ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        if (trustManager != null) {
            builder.trustManager(trustManager);
        }
        return build(builder, alpn, "server");
    }

    /** TLS on a Vert.x TCP server. */
    public NetServerOptions applyTo(NetServerOptions options) {
        options.setSsl(true).setKeyCertOptions(KeyCertOptions.wrap(keyManager))
                .setEnabledSecureTransportProtocols(new HashSet<>(protocols))
                .setClientAuth(clientAuth());
        if (trustManager != null) {
            options.setTrustOptions(TrustOptions.wrap(trustManager));
        }
        return options;
    }

    /** TLS on a Vert.x HTTP server; ALPN offers the HTTP versions among the context's protocols. */
    public HttpServerOptions applyTo(HttpServerOptions options) {
        applyTo((NetServerOptions) options);
        List<HttpVersion> versions = new ArrayList<>();
        if (alpn.contains("h2")) {
            versions.add(HttpVersion.HTTP_2);
        }
        if (alpn.contains("http/1.1") || versions.isEmpty()) {
            versions.add(HttpVersion.HTTP_1_1);
        }
        options.setUseAlpn(alpn.contains("h2")).setAlpnVersions(versions);
        return options;
    }

    private io.vertx.core.http.ClientAuth clientAuth() {
        return trustManager == null ? io.vertx.core.http.ClientAuth.NONE
                : requireClientCertificate ? io.vertx.core.http.ClientAuth.REQUIRED
                        : io.vertx.core.http.ClientAuth.REQUEST;
    }

    /** Adds the ALPN list (when there is one) and builds. */
    static SslContext build(SslContextBuilder builder, List<String> alpn, String role) {
        if (!alpn.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a " + role + " TLS context: " + e.getMessage(), e);
        }
    }

    /** The TLS context inside a transport socket; an error names the socket and {@code at} otherwise. */
    static <T extends com.google.protobuf.Message> T unpack(TransportSocket socket, Class<T> type, String at) {
        try {
            return socket.getTypedConfig().unpack(type);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(at + ": transport socket " + socket.getName() + " is not a "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** The validation context of a common TLS context, whichever way it is given. */
    static final class Validation {
        private Validation() {
        }

        static MeshTrustManager trustManager(CommonTlsContext common, SecretResolver secrets, Clock clock, String at) {
            return switch (common.getValidationContextTypeCase()) {
                case COMBINED_VALIDATION_CONTEXT -> {
                    var combined = common.getCombinedValidationContext();
                    yield new MeshTrustManager(
                            secrets.roots(combined.getValidationContextSdsSecretConfig().getName(), at),
                            SanPolicy.from(combined.getDefaultValidationContext(), at), clock);
                }
                case VALIDATION_CONTEXT_SDS_SECRET_CONFIG -> new MeshTrustManager(
                        secrets.roots(common.getValidationContextSdsSecretConfig().getName(), at), SanPolicy.ANY, clock);
                case VALIDATION_CONTEXT -> {
                    CertificateValidationContext inline = common.getValidationContext();
                    if (!inline.hasTrustedCa() || !inline.getTrustedCa().hasFilename()) {
                        throw new IllegalArgumentException(at + ": an inline validation context needs trusted_ca.filename");
                    }
                    yield new MeshTrustManager(secrets.roots("file-root:" + inline.getTrustedCa().getFilename(), at),
                            SanPolicy.from(inline, at), clock);
                }
                case VALIDATIONCONTEXTTYPE_NOT_SET -> null;
                default -> throw new IllegalArgumentException(at + ": validation context "
                        + common.getValidationContextTypeCase() + " is not supported");
            };
        }
    }
}
