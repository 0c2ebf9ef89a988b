package dev.mesh.proxy.tls;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.Optional;
import javax.net.ssl.SSLException;
import java.util.function.Consumer;

/**
 * Terminates the mesh's TLS on an accepted connection (a Vert.x {@code NetSocket}'s channel or any Netty
 * pipeline), Envoy's inbound filter chain choice by {@code transport_protocol}: STRICT takes only TLS, PERMISSIVE
 * takes TLS or plain text (told apart by the first bytes). The outcome is known on the event loop before any
 * application byte reaches the handlers after this one, so the caller can pick the chain and set up the rest.
 */
public final class InboundTls {

    /** What a connection turned out to be: TLS (with the verified client, if it sent a certificate) or plain. */
    public record Outcome(boolean tls, Optional<PeerIdentity> peer, String alpn) {

        public static final Outcome PLAINTEXT = new Outcome(false, Optional.empty(), null);

        /** Istio's {@code connection_security_policy} label: {@code mutual_tls} or {@code none}. */
        public String securityPolicy() {
            return tls && peer.isPresent() ? "mutual_tls" : "none";
        }
    }

    private InboundTls() {
    }

    /**
     * Puts the TLS handling at the head of the pipeline (call before any byte is read, e.g. in the connect handler).
     *
     * @param allowPlaintext PERMISSIVE; when false plain text is refused and the connection closed
     * @param onReady        the outcome, once the handshake is done or plain text detected
     * @param onFailure      handshake failed or plain text refused; the connection is closed
     */
    public static void install(ChannelPipeline pipeline, SslContext tls, boolean allowPlaintext,
            Consumer<Outcome> onReady, Consumer<Throwable> onFailure) {
        pipeline.addFirst("mesh-tls-detect", new PermissiveTlsHandler(tls, new PermissiveTlsHandler.Listener() {
            @Override
            public void tls(SslHandler ssl) {
                ssl.handshakeFuture().addListener(done -> {
                    if (done.isSuccess()) {
                        onReady.accept(new Outcome(true, PeerIdentity.of(ssl.engine().getSession()),
                                ssl.applicationProtocol()));
                    } else {
                        onFailure.accept(done.cause());
                    }
                });
            }

            @Override
            public void plaintext() {
                if (allowPlaintext) {
                    onReady.accept(Outcome.PLAINTEXT);
                } else {
                    onFailure.accept(new SSLException("plain text on a mutual TLS (STRICT) port"));
                    pipeline.channel().close();
                }
            }
        }));
    }
}
