package dev.mesh.proxy.http;

import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Joins two sockets: copies bytes both ways with back-pressure until either side closes, then closes the other.
 * Used for TCP proxying and for the hand-off of captured HTTP connections to the router.
 */
public final class Splice {

    private Splice() {}

    /**
     * @param downToUp counts bytes from {@code down} to {@code up}, or null
     * @param upToDown counts bytes from {@code up} to {@code down}, or null
     * @param onClose runs once when both are closed, or null
     */
    public static void join(NetSocket down, NetSocket up, LongAdder downToUp, LongAdder upToDown, Runnable onClose) {
        AtomicBoolean closed = new AtomicBoolean();
        Runnable closeBoth = () -> {
            if (closed.compareAndSet(false, true)) {
                down.close();
                up.close();
                if (onClose != null) {
                    onClose.run();
                }
            }
        };
        pump(down, up, downToUp);
        pump(up, down, upToDown);
        down.closeHandler(v -> closeBoth.run());
        up.closeHandler(v -> closeBoth.run());
        down.exceptionHandler(e -> closeBoth.run());
        up.exceptionHandler(e -> closeBoth.run());
        down.resume();
        up.resume();
    }

    private static void pump(NetSocket from, NetSocket to, LongAdder bytes) {
        from.handler(buffer -> {
            if (bytes != null) {
                bytes.add(buffer.length());
            }
            to.write(buffer);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
        from.endHandler(v -> to.end());
    }
}
