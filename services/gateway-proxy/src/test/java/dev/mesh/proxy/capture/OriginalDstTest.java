package dev.mesh.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class OriginalDstTest {

    @Test
    void sockaddrIn_givesAddressAndPortInNetworkOrder() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 2); // AF_INET, host order
        b.put((byte) 0x1f).put((byte) 0x90); // port 8080, network order
        b.put(new byte[] {10, (byte) 232, 0, 10});
        b.flip();
        assertThat(OriginalDst.parse(b, false)).isEqualTo(new InetSocketAddress("10.232.0.10", 8080));
    }

    @Test
    void sockaddrIn6_givesAddressAndPort() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 10).put((byte) 0).put((byte) 80).putInt(0);
        byte[] addr = new byte[16];
        addr[0] = (byte) 0xfd;
        addr[15] = 7;
        b.put(addr).putInt(0).flip();
        assertThat(OriginalDst.parse(b, true)).isEqualTo(new InetSocketAddress("fd00::7", 80));
    }

    @Test
    void shortAnswer_isRefusedWithTheSize() {
        assertThatThrownBy(() -> OriginalDst.parse(ByteBuffer.allocate(4), false)).isInstanceOf(IOException.class)
                .hasMessageContaining("4 bytes");
    }

    @Test
    void proxyHeader_isProxyProtocolV1() {
        assertThat(CaptureServers.proxyHeader(new InetSocketAddress("10.0.0.2", 40000), new InetSocketAddress("10.96.0.1", 80)))
                .isEqualTo("PROXY TCP4 10.0.0.2 10.96.0.1 40000 80\r\n");
    }
}
