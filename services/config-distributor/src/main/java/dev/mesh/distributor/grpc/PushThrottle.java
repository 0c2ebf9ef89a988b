package dev.mesh.distributor.grpc;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Bounds how many streams push at once across the whole server. A stream holds a permit from its
 * first response until gRPC has taken everything it sent (the stream is writable again), so the
 * bytes queued for proxies never exceed about {@code max} responses, however many proxies connect
 * at once. Streams waiting for a permit get it in arrival order, without blocking a thread.
 */
final class PushThrottle {

    private final int max;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;

    PushThrottle(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("push concurrency must be at least 1, got " + max);
        }
        this.max = max;
    }

    /** Takes a permit now (true), or queues {@code whenGranted} to run once one is handed over (false). */
    synchronized boolean tryAcquire(Runnable whenGranted) {
        if (inFlight < max) {
            inFlight++;
            return true;
        }
        waiting.add(whenGranted);
        return false;
    }

    /** Gives a permit back, handing it straight to the next waiting stream if there is one. */
    void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
                return;
            }
        }
        next.run();
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
