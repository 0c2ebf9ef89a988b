package dev.mesh.proxy.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/**
 * Real TLS peers on loopback for the tests: a Netty server whose pipeline the test chooses (a TLS handler, the
 * PERMISSIVE detector, or nothing) answering each line with what it knows of the connection, and a client.
 */
final class TlsPeers {

    private TlsPeers() {
    }

    /** A server answering every line with {@code tls=<bool> peer=<uri|-> sni=<name|-> alpn=<p|->}. */
    static final class Server implements AutoCloseable {
        final EventLoopGroup group = new NioEventLoopGroup(1);
        final Channel channel;

        Server(Supplier<ChannelHandler> first) throws InterruptedException {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ChannelHandler head = first.get();
                            if (head != null) {
                                ch.pipeline().addLast(head);
                            }
                            ch.pipeline().addLast(new Describe());
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static final class Describe extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            String answer;
            if (ssl == null) {
                answer = "tls=false peer=- sni=- alpn=-";
            } else {
                SSLSession session = ssl.engine().getSession();
                String peer = PeerIdentity.of(session).map(PeerIdentity::uri).orElse("-");
                String sni = "-";
                if (session instanceof ExtendedSSLSession extended) {
                    for (SNIServerName name : extended.getRequestedServerNames()) {
                        sni = new String(name.getEncoded(), StandardCharsets.US_ASCII);
                    }
                }
                String alpn = ssl.applicationProtocol() == null ? "-" : ssl.applicationProtocol();
                answer = "tls=true peer=" + peer + " sni=" + sni + " alpn=" + alpn;
            }
            ctx.writeAndFlush(Unpooled.copiedBuffer(answer + "\n", StandardCharsets.US_ASCII));
        }
    }

    /** One client connection; {@code tls == null} is plain text. */
    static final class Client implements AutoCloseable {
        private static final String CLOSED = "\u0000closed";
        final EventLoopGroup group = new NioEventLoopGroup(1);
        final BlockingQueue<String> answers = new ArrayBlockingQueue<>(16);
        final Channel channel;
        final SslHandler ssl;

        Client(int port, ClientTlsSettings settings) throws Exception {
            SslContext context = settings == null ? null : settings.nettyContext();
            SslHandler[] handler = new SslHandler[1];
            channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (context != null) {
                                handler[0] = settings.newHandler(context, ch.alloc(), "127.0.0.1", port);
                                ch.pipeline().addLast(handler[0]);
                            }
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                    answers.add(msg.toString(StandardCharsets.US_ASCII).trim());
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    answers.add(CLOSED);
                                }
                            });
                        }
                    }).connect("127.0.0.1", port).sync().channel();
            ssl = handler[0];
            if (ssl != null) {
                ssl.handshakeFuture().await(5, TimeUnit.SECONDS);
                if (!ssl.handshakeFuture().isSuccess()) {
                    Throwable cause = ssl.handshakeFuture().cause();
                    close();
                    throw new HandshakeFailed(cause);
                }
            }
        }

        /** Sends a line and waits for the server's answer; null when the connection closed instead. */
        String ask() throws InterruptedException {
            channel.writeAndFlush(Unpooled.copiedBuffer("ping\n", StandardCharsets.US_ASCII));
            String answer = answers.poll(5, TimeUnit.SECONDS);
            return CLOSED.equals(answer) ? null : answer;
        }

        X509Certificate serverCertificate() throws Exception {
            return (X509Certificate) ssl.engine().getSession().getPeerCertificates()[0];
        }

        boolean isOpen() {
            return channel.isActive();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static final class HandshakeFailed extends Exception {
        HandshakeFailed(Throwable cause) {
            super("TLS handshake failed: " + cause, cause);
        }
    }
}
