package dev.mesh.proxy.capture;

import io.netty.channel.Channel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The destination a connection had before iptables {@code REDIRECT} sent it to the proxy: the kernel keeps it
 * in conntrack and gives it back through {@code getsockopt(SO_ORIGINAL_DST)} (IPv4) or
 * {@code IP6T_SO_ORIGINAL_DST} (IPv6, same option number, level SOL_IPV6). Needs the native epoll transport,
 * which exposes raw socket options; about a microsecond per connection.
 */
public final class OriginalDst {

    static final int SOL_IP = 0;
    static final int SOL_IPV6 = 41;
    static final int SO_ORIGINAL_DST = 80;
    private static final RawUnixChannelOption IPV4 = new RawUnixChannelOption("SO_ORIGINAL_DST", SOL_IP, SO_ORIGINAL_DST, 16);
    private static final RawUnixChannelOption IPV6 = new RawUnixChannelOption("IP6T_SO_ORIGINAL_DST", SOL_IPV6, SO_ORIGINAL_DST, 28);

    private OriginalDst() {}

    /**
     * The original destination of an accepted connection. A connection that was not redirected answers with
     * the listener's own address; callers must check for that.
     *
     * @throws IOException when the channel is not an epoll channel or the kernel has no original destination
     */
    public static InetSocketAddress of(Channel channel) throws IOException {
        if (!(channel.localAddress() instanceof InetSocketAddress local)) {
            throw new IOException("not a TCP connection: " + channel.localAddress());
        }
        boolean v4 = local.getAddress() instanceof Inet4Address;
        ByteBuffer raw;
        try {
            raw = channel.config().getOption(v4 ? IPV4 : IPV6);
        } catch (RuntimeException e) {
            throw new IOException("getsockopt(SO_ORIGINAL_DST) failed on " + channel.getClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        }
        if (raw == null) {
            throw new IOException("getsockopt(SO_ORIGINAL_DST) is not supported by " + channel.getClass().getName()
                    + " (the native epoll transport is needed)");
        }
        return parse(raw, !v4);
    }

    /** Parses a {@code struct sockaddr_in} (16 bytes) or {@code struct sockaddr_in6} (28 bytes). */
    static InetSocketAddress parse(ByteBuffer sockaddr, boolean ipv6) throws IOException {
        int need = ipv6 ? 24 : 8;
        if (sockaddr.remaining() < need) {
            throw new IOException("SO_ORIGINAL_DST answered " + sockaddr.remaining() + " bytes, need at least " + need);
        }
        int base = sockaddr.position();
        // sin_port / sin6_port is in network byte order at offset 2 in both structs.
        int port = ((sockaddr.get(base + 2) & 0xff) << 8) | (sockaddr.get(base + 3) & 0xff);
        byte[] addr = new byte[ipv6 ? 16 : 4];
        int offset = ipv6 ? 8 : 4;
        for (int i = 0; i < addr.length; i++) {
            addr[i] = sockaddr.get(base + offset + i);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(addr), port);
        } catch (UnknownHostException e) {
            throw new IOException("bad address in SO_ORIGINAL_DST: " + e.getMessage(), e);
        }
    }
}
