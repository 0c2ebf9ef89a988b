package dev.mesh.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import java.util.List;

/**
 * The first handler of a PERMISSIVE connection: waits for the first bytes, then puts a TLS handler in its place
 * (the bytes read so far go to it) or steps aside for plain text. Fires a {@link Detected} user event either way,
 * so later handlers know whether the peer may have been authenticated.
 */
public final class PermissiveTlsHandler extends ByteToMessageDecoder {

    /** The user event: what the connection turned out to speak. */
    public record Detected(boolean tls) {
    }

    private final SslContext tls;

    public PermissiveTlsHandler(SslContext tls) {
        this.tls = tls;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (TlsDetector.detect(in)) {
            case NEED_MORE -> {
                // wait for the next read
            }
            case TLS -> {
                ctx.pipeline().replace(this, "tls", tls.newHandler(ctx.alloc()));
                ctx.fireUserEventTriggered(new Detected(true));
            }
            case PLAINTEXT -> {
                ctx.pipeline().remove(this);
                ctx.fireUserEventTriggered(new Detected(false));
            }
        }
    }
}
