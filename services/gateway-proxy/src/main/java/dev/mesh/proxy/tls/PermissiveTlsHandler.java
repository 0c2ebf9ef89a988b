package dev.mesh.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * The first handler of a PERMISSIVE connection: waits for the first bytes, then puts a TLS handler in its place
 * (the bytes read so far go to it) or steps aside for plain text. The listener hears which before any byte
 * moves on; a {@link Detected} user event follows for later handlers.
 */
public final class PermissiveTlsHandler extends ByteToMessageDecoder {

    /** The user event: what the connection turned out to speak. */
    public record Detected(boolean tls) {
    }

    /** Told what the connection speaks, before the bytes go on. */
    public interface Listener {
        /** The TLS handler that is about to take this handler's place (its handshake has not started). */
        void tls(SslHandler handler);

        void plaintext();
    }

    private static final Listener IGNORE = new Listener() {
        @Override
        public void tls(SslHandler handler) {
        }

        @Override
        public void plaintext() {
        }
    };

    private final SslContext tls;
    private final Listener listener;

    public PermissiveTlsHandler(SslContext tls) {
        this(tls, IGNORE);
    }

    public PermissiveTlsHandler(SslContext tls, Listener listener) {
        this.tls = tls;
        this.listener = listener;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (TlsDetector.detect(in)) {
            case NEED_MORE -> {
                // wait for the next read
            }
            case TLS -> {
                SslHandler handler = tls.newHandler(ctx.alloc());
                listener.tls(handler);
                ctx.pipeline().replace(this, "tls", handler);
                ctx.fireUserEventTriggered(new Detected(true));
            }
            case PLAINTEXT -> {
                listener.plaintext();
                ctx.fireUserEventTriggered(new Detected(false));
                ctx.pipeline().remove(this);
            }
        }
    }
}
