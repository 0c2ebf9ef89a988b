package dev.mesh.proxy.tls;

import io.netty.buffer.ByteBuf;

/**
 * PERMISSIVE listeners take mutual TLS and plain text on one port; like Envoy's {@code tls_inspector} this looks
 * at a connection's first bytes: a TLS record starts with the handshake content type (0x16) and major version 3.
 */
public final class TlsDetector {

    public enum Transport { TLS, PLAINTEXT, NEED_MORE }

    private static final int HANDSHAKE = 0x16;
    private static final int MAJOR_VERSION = 0x03;

    private TlsDetector() {
    }

    /** Looks at the readable bytes without consuming them. */
    public static Transport detect(ByteBuf in) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        return detect(readable > 0 ? in.getUnsignedByte(start) : -1, readable > 1 ? in.getUnsignedByte(start + 1) : -1);
    }

    /** For a Vert.x buffer or any byte array: the first bytes received so far. */
    public static Transport detect(byte[] first, int length) {
        return detect(length > 0 ? first[0] & 0xff : -1, length > 1 ? first[1] & 0xff : -1);
    }

    private static Transport detect(int b0, int b1) {
        if (b0 < 0) {
            return Transport.NEED_MORE;
        }
        if (b0 != HANDSHAKE) {
            return Transport.PLAINTEXT;
        }
        if (b1 < 0) {
            return Transport.NEED_MORE;
        }
        return b1 == MAJOR_VERSION ? Transport.TLS : Transport.PLAINTEXT;
    }
}
